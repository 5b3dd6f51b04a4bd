/**
 * The VoiceGenie pages' examples, copied as written. The three seed pages are in
 * /work/shared/seeds (000 Start Campaign v2, 001 Start Campaign, 003 Upload Campaign Data and
 * Run); the others are VoiceGenie's own pages for the related endpoints (Pause Campaign, Get
 * Campaign Stats, Get Campaign History, Upload Campaign Data).
 */

/* ------------------------------------------------------------ seed 001: GET /startCampaign/:campaignId */

export const START_V1_200 = {
  success: true,
  data: {
    campaign_id: '550e8400-e29b-41d4-a716-446655440000',
    status: 'running',
    started_at: '2024-01-16T10:30:00Z',
  },
  message: 'Campaign started successfully',
};

export const START_V1_400 = {
  success: false,
  message: 'Campaign is already running',
  error: 'CAMPAIGN_ALREADY_RUNNING',
};

export const START_V1_404 = {
  success: false,
  message: 'Campaign not found',
  error: 'NOT_FOUND',
};

export const START_V1_422 = {
  success: false,
  message: 'Campaign cannot be started. Missing required configuration.',
  error: 'INVALID_CAMPAIGN_STATE',
  details: {
    missing: ['script_id', 'contacts'],
  },
};

/* ------------------------------------------------------------ seed 000: GET /startCampaignv2/:campaignId */

export const START_V2_200 = {
  success: true,
  message: 'Campaign started successfully',
  data: {
    campaign_id: '507f1f77bcf86cd799439013',
    campaign_name: 'Sales Outreach Q1',
    status: 'in_progress',
    started_at: '2024-01-16T14:00:00Z',
    total_contacts: 500,
    scheduled_calls: 150,
    immediate_calls: 350,
    estimated_completion: '2024-01-16T18:00:00Z',
    configuration: {
      is_scheduled_call: true,
      is_context_based_call: true,
      redial_config: {
        enabled: true,
        max_attempts: 3,
        retry_intervals: [3600, 7200, 14400],
      },
    },
  },
};

export const START_V2_400 = {
  success: false,
  message: 'Campaign is already in progress',
  error: {
    code: 'CAMPAIGN_ALREADY_RUNNING',
    current_status: 'in_progress',
    started_at: '2024-01-16T13:00:00Z',
  },
};

/* ------------------------------------------------------------ seed 003: POST /uploadCampaignDataAndRun */

/** The page's "Example Request". */
export const UPLOAD_AND_RUN_REQUEST = {
  campaignName: 'Q1 Sales Outreach',
  agentId: '507f1f77bcf86cd799439012',
  isScheduledCall: false,
  isContextBasedCall: true,
  redialConfig: {
    enabled: true,
    maxAttempts: 3,
    retryIntervals: [3600, 7200, 14400],
  },
  contacts: [
    {
      phone_number: '+919876543210',
      name: 'John Doe',
      email: 'john@example.com',
      custom_data: {
        company: 'Acme Corp',
        industry: 'Technology',
        deal_value: '50000',
      },
    },
    {
      phone_number: '+919123456789',
      name: 'Jane Smith',
      email: 'jane@example.com',
      custom_data: {
        company: 'Beta Inc',
        industry: 'Finance',
      },
    },
  ],
};

/** The body of the page's cURL example, byte for byte as its `-d` argument. */
export const UPLOAD_AND_RUN_CURL_BODY = `{
    "campaignName": "Q1 Sales Outreach",
    "agentId": "507f1f77bcf86cd799439012",
    "isContextBasedCall": true,
    "redialConfig": {
      "enabled": true,
      "maxAttempts": 3
    },
    "contacts": [
      {
        "phone_number": "+919876543210",
        "name": "John Doe",
        "custom_data": {
          "company": "Acme Corp"
        }
      }
    ]
  }`;

export const UPLOAD_AND_RUN_200 = {
  success: true,
  message: 'Campaign created and started successfully',
  data: {
    campaign: {
      _id: '507f1f77bcf86cd799439013',
      campaignName: 'Q1 Sales Outreach',
      campaignId: 'CAMP-2024-001',
      status: 'in_progress',
      agentId: '507f1f77bcf86cd799439012',
      totalContacts: 2,
      isScheduledCall: false,
      isContextBasedCall: true,
      createdAt: '2024-01-16T16:00:00Z',
      campaignStartTime: '2024-01-16T16:00:05Z',
    },
    execution_status: {
      calls_queued: 2,
      calls_initiated: 0,
      estimated_completion: '2024-01-16T16:15:00Z',
    },
    redial_config: {
      enabled: true,
      maxAttempts: 3,
      retryIntervals: [3600, 7200, 14400],
    },
  },
};

/* ------------------------------------------------------------ related pages */

export const UNAUTHORIZED_401 = {
  success: false,
  message: 'Invalid or missing API key',
  error: 'UNAUTHORIZED',
};

export const PAUSE_200 = {
  success: true,
  data: {
    campaign_id: '550e8400-e29b-41d4-a716-446655440000',
    status: 'paused',
    paused_at: '2024-01-16T14:30:00Z',
    active_calls: 3,
  },
  message: 'Campaign paused successfully. Active calls will complete normally.',
};

export const PAUSE_400 = {
  success: false,
  message: 'Campaign is not running',
  error: 'CAMPAIGN_NOT_RUNNING',
};

export const STATS_200 = {
  success: true,
  data: {
    campaign_id: '550e8400-e29b-41d4-a716-446655440000',
    campaign_name: 'Q4 Sales Campaign',
    total_contacts: 1000,
    calls_completed: 750,
    calls_failed: 150,
    calls_in_progress: 50,
    calls_pending: 50,
    success_rate: 83.33,
    average_call_duration: 245,
    total_call_duration: 183750,
    call_status_breakdown: {
      answered: 750,
      busy: 80,
      no_answer: 50,
      failed: 20,
      voicemail: 100,
    },
    started_at: '2024-01-16T09:00:00Z',
    completed_at: null,
  },
};

export const HISTORY_200 = {
  success: true,
  data: {
    history: [
      {
        call_id: 'call_123',
        contact_name: 'John Doe',
        phone_number: '+919876543210',
        status: 'answered',
        duration: 245,
        call_time: '2024-01-16T10:30:00Z',
        recording_url: 'https://...',
      },
    ],
    pagination: {
      total: 750,
      limit: 50,
      offset: 0,
    },
  },
};

export const UPLOAD_DATA_200 = {
  success: true,
  data: {
    campaign_id: '550e8400-e29b-41d4-a716-446655440000',
    uploaded_count: 150,
    failed_count: 0,
    errors: [],
  },
  message: 'Campaign data uploaded successfully',
};

export const UPLOAD_DATA_400 = {
  success: false,
  message: 'Invalid request data',
  error: 'BAD_REQUEST',
  details: {
    field: 'contacts',
    issue: 'Phone number format invalid',
  },
};

export const PAYLOAD_TOO_LARGE_413 = {
  success: false,
  message: 'Request payload exceeds 500MB limit',
  error: 'PAYLOAD_TOO_LARGE',
};

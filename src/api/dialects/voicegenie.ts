/** The VoiceGenie dialect; its routes, envelope, requests and views live in ./voicegenie/. */
export { voicegenieRouter } from './voicegenie/router';

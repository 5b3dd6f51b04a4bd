# syntax=docker/dockerfile:1

# One image for the three processes of the engine; TypeScript runs through tsx (a production
# dependency), so there is no build step.
#   api      CMD below (npm run api), listens on PORT (3000)
#   worker   docker-compose.yml overrides the command with `npm run worker`
#   carrier  docker-compose.yml overrides the command with `npm run carrier`, listens on CARRIER_PORT (4010)

# ---- production dependencies only, from the lock file
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --no-audit --no-fund

# ---- runtime
FROM node:20-bookworm-slim AS runtime
# npm runs a script as `<script-shell> -c "tsx …"`. bash replaces itself with tsx there, where sh
# (dash) stays in between and dies on the SIGTERM npm forwards, so the app would never see it;
# with bash, `docker stop` reaches tsx, which relays it to the process: a graceful shutdown.
ENV NODE_ENV=production \
    NPM_CONFIG_SCRIPT_SHELL=/bin/bash \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false
WORKDIR /app

# Dependencies and sources stay owned by root: the app cannot rewrite its own code.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json tsconfig.json ./
COPY src ./src
COPY workflows ./workflows
COPY activities ./activities

# DATA_DIR (default .data, relative to /app) is the one place the processes write to, e.g. the
# simulated carrier's ledger; compose mounts a volume here.
RUN mkdir -p /app/.data && chown node:node /app/.data

USER node
EXPOSE 3000 4010

# For the api (the default command). Services that run another command override or disable it.
HEALTHCHECK --interval=10s --timeout=5s --start-period=40s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

CMD ["npm", "run", "api"]

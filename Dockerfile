# PMO Pulse: the Slack app with its schedules. Build: docker build -t pmo-pulse .
# Run: docker run --env-file .env -p 8080:8080 pmo-pulse  (PMO_STORE=aws on AWS; see README)
FROM node:22-bookworm-slim

ENV NODE_ENV=production \
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true \
    HEALTH_PORT=8080 \
    DATA_DIR=/home/node/data

WORKDIR /app
COPY --chown=node:node package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --chown=node:node app ./app
COPY --chown=node:node listeners ./listeners
COPY --chown=node:node services ./services
COPY --chown=node:node jobs ./jobs
COPY --chown=node:node web ./web
COPY --chown=node:node sandbox ./sandbox
COPY --chown=node:node types ./types
COPY --chown=node:node scripts ./scripts
COPY --chown=node:node manifest.json tsconfig.json ./
# What `npm start` does first: the app compiled into dist/, run without a TypeScript loader.
RUN node scripts/build.mjs

USER node
RUN mkdir -p /home/node/data
EXPOSE 8080 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.HEALTH_PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "--optimize-for-size", "dist/main.js"]

# Warden's image. The TypeScript sources run as they are, through tsx's loader: the build
# steps are generating the Prisma client and bundling the dashboard.
#
#   docker build -t warden .
#   docker run -p 8080:8080 -e WARDEN_ADMIN_TOKEN=... -e DATABASE_URL=postgres://... warden
#
# Without DATABASE_URL, Warden keeps its data in an embedded PGlite under WARDEN_DATA_DIR
# (mount a volume there to keep it); several replicas need a Postgres server.
FROM node:20-bookworm-slim

WORKDIR /app

# The manifests first, so the dependency layer is rebuilt only when they change.
# --omit=dev: everything the server and `db:generate` load (tsx, prisma, the Prisma client and
# adapters) is in "dependencies".
# --ignore-scripts: no dependency install script runs. Prisma's would download a native
# engine that Warden never uses (migrations run on Prisma's WebAssembly engine), and would
# fail where the build has no route to Prisma's binary host.
# The SDK is a workspace of the package (the dashboard imports it): its manifest comes with them.
COPY package.json package-lock.json ./
COPY sdk/package.json ./sdk/
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force

COPY tsconfig.json prisma.config.ts openapi.yaml ./
COPY policies/ ./policies/
COPY engine/ ./engine/
COPY prisma/ ./prisma/
COPY api/ ./api/
COPY sdk/ ./sdk/
COPY ui/ ./ui/

# Offline: prisma/cli.ts runs `prisma generate` without Prisma's native engine. The dashboard
# bundle is built here once (vite and preact are dependencies), not at each start.
RUN npm run db:generate && npm run ui:build

# HOST=0.0.0.0: Warden's default, 127.0.0.1, is unreachable from outside the container.
# NODE_ENV is set only after `npm ci`, which it would otherwise steer.
# The heap limit keeps memory near what is live (V8 otherwise lets the heap grow
# far past it); raise it through NODE_OPTIONS for very large platforms.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    WARDEN_DATA_DIR=/var/lib/warden \
    NODE_OPTIONS=--max-old-space-size=768

# The sources stay owned by root: the server cannot rewrite its own code. It writes only to
# WARDEN_DATA_DIR (PGlite's files, the generated admin token) and tsx's cache in /tmp.
RUN mkdir -p /var/lib/warden && chown node:node /var/lib/warden
USER node

EXPOSE 8080

# Slim images have no curl: node's own fetch asks /readyz, which answers 200 once the first
# policy snapshot is loaded. The start period covers migrations and that first load.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/readyz',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.status===200?0:1),()=>process.exit(1))"]

# The server is the container's main process itself: `docker stop` sends SIGTERM to PID 1, and
# here PID 1 is the node process running api/main.ts, whose handler drains and exits.
# `npm start` would put npm in front (it does not reliably pass SIGTERM on, so the container
# dies by SIGKILL after the grace period), and the tsx CLI would add a second node process
# between the signal and the server; `node --import tsx` loads TypeScript in the same process.
CMD ["node", "--import", "tsx", "api/main.ts"]

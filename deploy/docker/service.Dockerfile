# syntax=docker/dockerfile:1
# One image per Cairn service, from the repository root:
#   docker build -f deploy/docker/service.Dockerfile --build-arg SERVICE=access -t cairn/access .
# (docker compose builds all of them this way.)

ARG NODE_IMAGE=node:20-bookworm-slim

# All dependencies, dev ones included: the compiler is one of them.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# No install scripts, as on the development machines: the dependencies are chosen to work without them.
RUN npm ci --ignore-scripts --no-audit --no-fund

# Runtime dependencies only. Pruned in a stage of its own, from the same install, so the runtime image
# never holds a layer with the dev dependencies and this stage is cached until the lock file changes.
FROM deps AS prod-deps
RUN npm prune --omit=dev --ignore-scripts --no-audit --no-fund

# Compiles the whole workspace (libs and services) to dist/.
FROM deps AS build
COPY tsconfig.base.json tsconfig.build.json ./
COPY libs libs
COPY services services
RUN npx tsc -p tsconfig.build.json
ARG SERVICE
RUN if [ ! -f "dist/services/${SERVICE:-?}/src/main.js" ]; then \
      echo "No dist/services/${SERVICE:-?}/src/main.js: pass --build-arg SERVICE=<a service that has a main.ts>." >&2; \
      exit 1; \
    fi

FROM ${NODE_IMAGE} AS runtime
ARG SERVICE
ENV NODE_ENV=production \
    NODE_OPTIONS=--enable-source-maps \
    CAIRN_SERVICE=${SERVICE} \
    PORT=3000 \
    HOST=0.0.0.0
WORKDIR /app
# The runner's local backend runs every job under bubblewrap (util-linux's setpriv, unshare and prlimit are in the base image).
RUN if [ "$SERVICE" = runner ]; then apt-get update && apt-get install -y --no-install-recommends bubblewrap && rm -rf /var/lib/apt/lists/*; fi
# The app's files belong to root and are read-only for the user it runs as.
COPY package.json tsconfig.base.json ./
# register.js resolves the @cairn/* aliases to dist/ (it reads tsconfig.base.json, needs tsconfig-paths).
COPY deploy/local/register.js deploy/local/register.js
COPY --from=prod-deps /app/node_modules node_modules
COPY --from=build /app/dist/libs dist/libs
COPY --from=build /app/dist/services/${SERVICE} dist/services/${SERVICE}
# Default CAIRN_DATA_DIR parent for the projects service's blobs; a volume is mounted here. Created
# owned by the runtime user so a fresh Docker volume inherits that owner.
RUN mkdir -p /var/lib/cairn && chown node:node /var/lib/cairn
# The image's `node` user, by number so Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/health/ready`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# exec: node becomes PID 1 and receives SIGTERM itself (Nest's shutdown hooks close connections).
CMD ["/bin/sh", "-c", "exec node -r ./deploy/local/register.js \"dist/services/${CAIRN_SERVICE}/src/main.js\""]

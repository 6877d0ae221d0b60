# syntax=docker/dockerfile:1
# The web console: static files built by Vite, served by an unprivileged nginx on port 3000.
#   docker build -f deploy/docker/console.Dockerfile -t cairn/console .
# How it signs people in is configuration: /config.json, mounted at /etc/cairn-console/config.json
# (deploy/docker/console-config.json for compose, the ConfigMap console-config in Kubernetes).

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.base.json ./
# The one piece of the platform the console shares: the slug rule (its preview as you type).
COPY libs/contracts/src/slug.ts libs/contracts/src/slug.ts
COPY services/console services/console
RUN npx vite build --config services/console/vite.config.mts --logLevel warn

FROM nginxinc/nginx-unprivileged:1.28-alpine AS runtime
COPY deploy/docker/console.nginx.conf /etc/nginx/nginx.conf
COPY deploy/docker/console-security-headers.conf /etc/nginx/console-security-headers.conf
COPY --from=build /app/dist/console /usr/share/nginx/html
COPY deploy/docker/console-config.json /etc/cairn-console/config.json
# nginx-unprivileged's user (101), by number so Kubernetes' runAsNonRoot can verify it.
USER 101:101
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 CMD ["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:3000/health/ready"]

# syntax=docker/dockerfile:1
# One image for every process of the orchestrator:
#   API (default):  node dist/bin/api.js
#   worker:         node dist/bin/worker.js
#   migrations:     node dist/bin/migrate.js
# The image holds the production code only (tsconfig.build.json: bin, api, worker, workflows, activities, src):
# no sandbox, no dev-stack helper, no test, and only the production dependencies.
ARG NODE_IMAGE=node:20-bookworm-slim

# --- build: all dependencies, compile TypeScript, prebuild the workflow bundle --------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV SCARF_ANALYTICS=false
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# tsc builds the production layers to dist/ with the repository root as rootDir (dist/bin, dist/api, dist/src, ...).
RUN npx tsc -p tsconfig.build.json
# The worker loads a prebuilt bundle (WORKFLOW_BUNDLE_PATH below) instead of running webpack at every start.
RUN node dist/bin/bundle-workflows.js dist/workflow-bundle.js

# --- production dependencies only --------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
ENV SCARF_ANALYTICS=false
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# --- runtime -----------------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
# MALLOC_ARENA_MAX: glibc gives each thread that allocates an arena of its own (up to 8 per core) and keeps what is
# freed in it; the worker's Temporal core runs many threads, and a burst of workflow tasks left its resident memory
# high for good. Two arenas: 10,000 open orders fit in 500 MB (bench/README.md, bench:scale).
ENV NODE_ENV=production \
    WORKFLOW_BUNDLE_PATH=/app/dist/workflow-bundle.js \
    MALLOC_ARENA_MAX=2
WORKDIR /app
# Files stay owned by root: the process (user node) can read its code but not change it.
COPY package.json package-lock.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The compiled code resolves these from dist/src/*: version.ts reads ../package.json, db/migrate.ts reads ../../migrations.
COPY package.json ./dist/package.json
COPY migrations ./dist/migrations
USER node
EXPOSE 4000
CMD ["node", "dist/bin/api.js"]

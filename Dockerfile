# Energy Insights backend for Home Assistant Container users (see docker-compose.example.yml).
# Two stages: the first compiles the backend (scripts/build-server.mjs: dist/server, one bundle with
# every JavaScript dependency inside), the second holds only Node, better-sqlite3 (the one
# production dependency) and that compiled output: no TypeScript sources, tsx or esbuild.
FROM node:20-bookworm-slim AS build
WORKDIR /src
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN node scripts/build-server.mjs

FROM node:20-bookworm-slim
# better-sqlite3 compiles from source: python3, make and g++ are needed only while installing, and
# of what it leaves only the compiled module is needed (its SQLite sources and objects are ~25 MB).
WORKDIR /app
COPY package.json package-lock.json ./
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && npm ci --omit=dev --no-audit --no-fund \
 && cd node_modules/better-sqlite3 && rm -rf deps src build/deps build/Release/obj build/Release/obj.target build/Release/.deps build/Release/test_extension.node build/Release/sqlite3.a && cd /app \
 && apt-get purge -y python3 make g++ && apt-get autoremove -y && rm -rf /var/lib/apt/lists/* /root/.npm
COPY bin ./bin
COPY --from=build /src/dist/server ./dist/server
COPY energy-insights.example.yaml ./

# The config file and the SQLite cache live in the /data volume.
VOLUME /data
ENV ENERGY_INSIGHTS_CONFIG=/data/energy-insights.yaml \
    EI_STORE__PATH=/data/energy-insights.db \
    NODE_ENV=production
USER node
HEALTHCHECK --interval=5m --timeout=30s --start-period=10m CMD ["node", "bin/energy-insights.js", "health"]
# The service is idle between checks: a 1 MB young generation (V8's default keeps ~35 MB more
# resident for nothing), no background GC or compiler threads, heap sized for memory over speed, no
# optimizing compiler (TurboFan keeps ~4 MB; the service mostly waits on the network) (npm run bench,
# "Production build").
CMD ["node", "--max-semi-space-size=1", "--single-threaded", "--optimize-for-size", "--no-opt", "bin/energy-insights.js", "start"]

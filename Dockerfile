# Energy Insights backend for Home Assistant Container users (see docker-compose.example.yml).
FROM node:20-bookworm-slim

# better-sqlite3 compiles from source: python3, make and g++ are needed only while installing.
WORKDIR /app
COPY package.json package-lock.json ./
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && npm ci --omit=dev --ignore-scripts=false \
 && apt-get purge -y python3 make g++ && apt-get autoremove -y && rm -rf /var/lib/apt/lists/* /root/.npm
COPY bin ./bin
COPY server ./server
COPY energy-insights.example.yaml ./

# The config file and the SQLite cache live in the /data volume.
VOLUME /data
ENV ENERGY_INSIGHTS_CONFIG=/data/energy-insights.yaml \
    EI_STORE__PATH=/data/energy-insights.db \
    NODE_ENV=production
USER node
HEALTHCHECK --interval=5m --timeout=30s --start-period=10m CMD ["node", "bin/energy-insights.js", "health"]
CMD ["node", "bin/energy-insights.js", "start"]

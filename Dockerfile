# claude-remote server image. Build: `docker build -t claude-remote .`  Run: see compose.yml.
# Bun 1.4.5 is the runtime the npm lockfile pins (package.json "bun"); keep the tags in step.

# --- deps: production dependencies only, resolved from the npm lockfile (the source of truth) ---
FROM oven/bun:1.4.5 AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Bun migrates package-lock.json in memory; --frozen-lockfile fails if it disagrees with package.json.
RUN bun install --production --frozen-lockfile --ignore-scripts \
 # the npm `bun` package (the runtime for npm-only machines) is redundant here: the image is Bun
 && rm -rf node_modules/bun node_modules/@oven node_modules/.bin/bun node_modules/.bin/bunx

# --- runtime ---
FROM oven/bun:1.4.5-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY src ./src
COPY public ./public
RUN ln -s /app/bin/claude-remote /usr/local/bin/claude-remote \
 && mkdir -p /data && chown bun:bun /data
ENV PORT=7200 HOST=0.0.0.0 CLAUDE_REMOTE_DATA_DIR=/data
VOLUME /data
EXPOSE 7200
USER bun
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
  CMD ["bun", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 7200) + '/health').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The same command as `npm start` (package.json "scripts.start").
CMD ["bun", "src/server/main.ts"]

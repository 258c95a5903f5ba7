# Shortcuts for working on and running claude-remote. Everything here is also a plain command
# (see README.md): `just` is optional. `just --list` shows the recipes.

bun := "./node_modules/.bin/bun"

# install dependencies (the Bun runtime included) from the lockfile
setup:
    npm ci

# run the server (127.0.0.1:7200, data in ./data); same as `npm start`
serve:
    npm start

# the whole test suite, or one path: `just test tests/selfhost`
test *paths:
    {{bun}} test {{paths}}

# benchmarks (not part of the test suite)
bench:
    npm run bench

# type-check everything
lint:
    ./node_modules/.bin/tsc --noEmit -p .

# regenerate the README's configuration table from src/server/config.ts
fmt:
    {{bun}} scripts/config-table.ts --write

# build the image
docker-build:
    docker build -t claude-remote:latest .

# start (or update) the compose stack in the background
up:
    docker compose up -d --build

# follow the server's JSON logs
logs:
    docker compose logs -f claude-remote

# consistent copy of the running server's database: `just backup` or `just backup my.db`
backup file=("claude-remote-" + datetime("%Y%m%d-%H%M%S") + ".db"):
    docker compose exec -T claude-remote claude-remote backup /data/{{file}}
    docker compose cp claude-remote:/data/{{file}} ./{{file}}
    docker compose exec -T claude-remote rm /data/{{file}}

# back up a server that runs outside Docker (data dir from CLAUDE_REMOTE_DATA_DIR or ./data)
backup-local file=("claude-remote-" + datetime("%Y%m%d-%H%M%S") + ".db"):
    bin/claude-remote backup {{file}}

#!/bin/sh
# Off-board publishing from a shell script: one HTTP call per message (or a batch).
# Usage: examples/publish.sh CHANNEL JSON [URL]   e.g. examples/publish.sh /chat/room1 '{"text":"hi"}'
channel=${1:?channel}; data=${2:?json data}; url=${3:-http://localhost:8080}
curl -sS --fail-with-body -H 'Content-Type: application/json' ${HALLEY_API_KEY:+-H "Authorization: apikey $HALLEY_API_KEY"} \
  -d "{\"channel\":\"$channel\",\"data\":$data}" "$url/api/publish"
echo

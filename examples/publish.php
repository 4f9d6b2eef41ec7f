<?php
// Off-board publishing from PHP: no library needed.
// php examples/publish.php /chat/room1 '{"text":"hi"}'
function halley_publish(string $channel, $data, string $url = 'http://localhost:8080', ?string $apiKey = null): array {
    $headers = "Content-Type: application/json\r\n";
    if ($apiKey !== null) {
        $headers .= "Authorization: apikey $apiKey\r\n";
    }
    $body = file_get_contents("$url/api/publish", false, stream_context_create(['http' => [
        'method' => 'POST', 'header' => $headers, 'ignore_errors' => true,
        'content' => json_encode(['channel' => $channel, 'data' => $data]),
    ]]));
    return json_decode($body, true);   // ['channel' => …, 'offset' => …] or ['error' => …, 'message' => …]
}

if (PHP_SAPI === 'cli' && isset($argv[2])) {
    print_r(halley_publish($argv[1], json_decode($argv[2], true), $argv[3] ?? 'http://localhost:8080', getenv('HALLEY_API_KEY') ?: null));
}

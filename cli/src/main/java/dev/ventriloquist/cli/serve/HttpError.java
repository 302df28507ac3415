package dev.ventriloquist.cli.serve;

/** A request the server refuses, with the status and the message the client gets as OpenAI-style JSON. */
final class HttpError extends RuntimeException {
  final int status;
  final String type;
  final String param;
  final long retryAfterSeconds;

  HttpError(int status, String message) {
    this(status, message, null, -1);
  }

  HttpError(int status, String message, String param, long retryAfterSeconds) {
    super(message, null, false, false);
    this.status = status;
    this.type = status == 429 ? "rate_limit_error" : status == 401 ? "authentication_error"
        : status >= 500 ? "server_error" : "invalid_request_error";
    this.param = param;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

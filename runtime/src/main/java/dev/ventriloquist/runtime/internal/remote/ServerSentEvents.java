package dev.ventriloquist.runtime.internal.remote;

import java.nio.charset.StandardCharsets;
import java.util.function.BiConsumer;

/**
 * An incremental parser of a {@code text/event-stream} body (the WHATWG server-sent events format): bytes in,
 * {@code (event, data)} pairs out when a blank line ends an event. Multi-line {@code data:} fields are joined with
 * {@code \n}; comments ({@code :}) and {@code id:}/{@code retry:} fields are ignored. Written by hand: the format is
 * a few lines of rules and the JDK has no parser for it. Not thread-safe: one per response.
 */
final class ServerSentEvents {
  /** Longest event we accept; a larger one is a broken or hostile stream. */
  static final int MAX_EVENT_BYTES = 16 << 20;

  private final BiConsumer<String, String> onEvent;
  private final StringBuilder line = new StringBuilder();
  private final java.io.ByteArrayOutputStream pendingLine = new java.io.ByteArrayOutputStream();
  private String event = "";
  private StringBuilder data;
  private boolean lastWasCr;

  ServerSentEvents(BiConsumer<String, String> onEvent) {
    this.onEvent = onEvent;
  }

  /** Feeds bytes; calls the handler for each complete event, on the calling thread. */
  void feed(byte[] bytes, int offset, int length) {
    for (int i = offset; i < offset + length; i++) {
      byte b = bytes[i];
      if (b == '\n' && lastWasCr) {
        lastWasCr = false;
        continue;
      }
      lastWasCr = b == '\r';
      if (b == '\n' || b == '\r') {
        endLine();
      } else {
        pendingLine.write(b);
        if (pendingLine.size() > MAX_EVENT_BYTES) {
          throw new IllegalStateException("an event-stream line is longer than " + MAX_EVENT_BYTES + " bytes");
        }
      }
    }
  }

  private void endLine() {
    line.setLength(0);
    line.append(pendingLine.toString(StandardCharsets.UTF_8));
    pendingLine.reset();
    if (line.length() == 0) {
      if (data != null) {
        onEvent.accept(event.isEmpty() ? "message" : event, data.toString());
      }
      event = "";
      data = null;
      return;
    }
    if (line.charAt(0) == ':') {
      return;
    }
    int colon = line.indexOf(":");
    String field = colon < 0 ? line.toString() : line.substring(0, colon);
    String value = colon < 0 ? "" : line.substring(colon + 1);
    if (value.startsWith(" ")) {
      value = value.substring(1);
    }
    if (field.equals("event")) {
      event = value;
    } else if (field.equals("data")) {
      if (data == null) {
        data = new StringBuilder(value);
      } else {
        if (data.length() + value.length() > MAX_EVENT_BYTES) {
          throw new IllegalStateException("an event is longer than " + MAX_EVENT_BYTES + " bytes");
        }
        data.append('\n').append(value);
      }
    }
  }
}

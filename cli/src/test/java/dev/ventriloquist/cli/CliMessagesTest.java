package dev.ventriloquist.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.ventriloquist.runtime.internal.files.IoMessages;

/**
 * What a user reads when they get a command wrong: one clear line, the right exit code, no stack trace, and nothing
 * done behind their back.
 */
class CliMessagesTest {
  @TempDir Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  /** Log records with a stack trace attached, from anywhere in Ventriloquist. */
  private final List<LogRecord> traces = new CopyOnWriteArrayList<>();
  private final Logger root = Logger.getLogger("dev.ventriloquist");
  private final Handler handler = new Handler() {
    @Override
    public void publish(LogRecord r) {
      if (r.getThrown() != null) {
        traces.add(r);
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  @BeforeEach
  void listen() {
    root.addHandler(handler);
  }

  @AfterEach
  void stopListening() {
    root.removeHandler(handler);
  }

  private int run(String... args) {
    return Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
  }

  @Test
  void sayHelpShowsTheHelp() {
    assertEquals(0, run("say", "--help"));
    assertTrue(out.toString().startsWith("Usage: ventriloquist say"), out.toString());
    assertFalse(err.toString().contains("Missing required"), err.toString());
    assertEquals(0, run("cache", "verify", "--help"));
    assertTrue(out.toString().contains("Usage: ventriloquist cache verify"), out.toString());
  }

  @Test
  void textTheEmbeddedVoiceCannotSpeakIsOneClearErrorWithoutAStackTrace() {
    for (String text : new String[] {"\uD83D\uDE00\uD83D\uDE00", "\u0645\u0631\u062D\u0628\u0627", "...!?",
        "\uFFFD\uFFFD"}) {
      err.getBuffer().setLength(0);
      int rc = run("say", "--voice", "../voices/guard", "--text", text, "--out", dir.resolve("x.wav").toString());

      assertEquals(1, rc, text);
      assertTrue(err.toString().startsWith("error: the embedded voice (FreeTTS kevin16, English only) cannot speak"),
          err.toString());
      assertEquals(1, err.toString().lines().count(), err.toString());
      assertFalse(Files.exists(dir.resolve("x.wav")));
    }
    assertEquals(List.of(), traces.stream().map(r -> r.getMessage() + ": " + r.getThrown()).toList());
  }

  @Test
  void aFileGivenForACacheOrModelFolderIsNamedAsAFile() throws Exception {
    Path file = Files.writeString(dir.resolve("notes.txt"), "hello");

    assertEquals(2, run("say", "--voice", "../voices/guard", "--text", "Hi", "--cache", file.toString(),
        "--out", dir.resolve("a.wav").toString()));
    assertTrue(err.toString().contains("--cache " + file + " is a file, not a folder"), err.toString());
    assertEquals(2, run("say", "--voice", "../voices/guard", "--text", "Hi", "--model", file.toString(),
        "--out", dir.resolve("a.wav").toString()));
    assertTrue(err.toString().contains("--model " + file + " is a file, not a folder"), err.toString());
    assertEquals(1, run("cache", "stats", "--cache", file.toString()));
    assertTrue(err.toString().contains(file + " is a file"), err.toString());
    assertFalse(err.toString().contains("does not exist"), err.toString());
    assertEquals("hello", Files.readString(file));
  }

  @Test
  void outIntoAMissingFolderIsRefusedAndNoFolderIsMade() {
    Path missing = dir.resolve("no/such/folder");

    assertEquals(2, run("say", "--voice", "../voices/guard", "--text", "Hi", "--out",
        missing.resolve("line.wav").toString()));
    assertTrue(err.toString().contains("the folder " + missing.toAbsolutePath() + " does not exist"), err.toString());
    assertFalse(Files.exists(dir.resolve("no")));
  }

  @Test
  void outThatIsAFolderIsSaidInWords() {
    assertEquals(2, run("say", "--voice", "../voices/guard", "--text", "Hi", "--out", dir.toString()));
    assertTrue(err.toString().contains("--out " + dir + " is a folder"), err.toString());
    assertFalse(err.toString().contains("Exception"), err.toString());
  }

  @Test
  void fileSystemErrorsReadAsWords() {
    assertEquals("x.wav is a folder; give a file name",
        IoMessages.describe(new FileSystemException("x.wav", null, "Is a directory")));
    assertEquals("packs/guard already exists; choose another name or remove it first",
        IoMessages.describe(new FileAlreadyExistsException("packs/guard")));
    assertEquals("a/b: no space left on device",
        IoMessages.describe(new FileSystemException("a/b", null, "No space left on device")));
  }
}

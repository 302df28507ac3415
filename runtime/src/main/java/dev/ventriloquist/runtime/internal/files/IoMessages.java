package dev.ventriloquist.runtime.internal.files;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * File-system errors in words for the command line: "line.wav is a folder" rather than
 * "java.nio.file.FileSystemException: line.wav: Is a directory". The JDK's texts name the exception class and
 * put the operating system's reason last; a user needs the file and the reason.
 */
public final class IoMessages {
  private IoMessages() {}

  public static String describe(IOException e) {
    if (e instanceof FileSystemException f) {
      String file = f.getFile() == null ? "a file" : f.getFile();
      String other = f.getOtherFile() == null ? "" : " (and " + f.getOtherFile() + ")";
      if (e instanceof NoSuchFileException) {
        return file + other + " does not exist";
      }
      if (e instanceof FileAlreadyExistsException) {
        return file + " already exists; choose another name or remove it first";
      }
      if (e instanceof AccessDeniedException) {
        return "permission denied for " + file + other;
      }
      if (e instanceof NotDirectoryException) {
        return file + " is not a folder";
      }
      if (e instanceof DirectoryNotEmptyException) {
        return "the folder " + file + " is not empty";
      }
      String reason = f.getReason();
      if (reason != null && reason.equalsIgnoreCase("Is a directory")) {
        return file + " is a folder; give a file name";
      }
      if (reason != null && reason.equalsIgnoreCase("Not a directory")) {
        return "a part of " + file + " is a file, not a folder";
      }
      return file + other + ": " + (reason == null ? "cannot be used" : lowerFirst(reason));
    }
    String m = e.getMessage();
    return m == null || m.isBlank() ? "an input/output error (" + e.getClass().getSimpleName() + ")" : m;
  }

  private static String lowerFirst(String s) {
    return s.isEmpty() ? s : Character.toLowerCase(s.charAt(0)) + s.substring(1);
  }
}

package dev.ventriloquist.runtime.internal.store;

/**
 * The persisted form of one cached line: the key digest it was stored under (so a file renamed to another key's name
 * is caught), the sample rate, the samples as signed 16-bit PCM, and (from format version 2, optional) the line's
 * lip-sync track as one viseme code and one level byte per 10 ms window. Not a record: persisted types are written by
 * hand-written serializers that can evolve (see {@link StoreKryo}).
 */
final class LineRecord {
  final byte[] keyDigest;
  final int sampleRate;
  final short[] pcm;
  /** Viseme codes per window, or null when the entry has no track (written before version 2). */
  final byte[] visemes;
  /** Levels per window (0..255), null exactly when {@link #visemes} is. */
  final byte[] levels;

  LineRecord(byte[] keyDigest, int sampleRate, short[] pcm) {
    this(keyDigest, sampleRate, pcm, null, null);
  }

  LineRecord(byte[] keyDigest, int sampleRate, short[] pcm, byte[] visemes, byte[] levels) {
    this.keyDigest = keyDigest;
    this.sampleRate = sampleRate;
    this.pcm = pcm;
    this.visemes = visemes;
    this.levels = levels;
  }
}

package dev.ventriloquist.runtime.internal.store;

/**
 * The persisted form of one cached line: the key digest it was stored under (so a file renamed to another key's name
 * is caught), the sample rate, and the samples as signed 16-bit PCM. Not a record: persisted types are written by
 * hand-written serializers that can evolve (see {@link StoreKryo}).
 */
final class LineRecord {
  final byte[] keyDigest;
  final int sampleRate;
  final short[] pcm;

  LineRecord(byte[] keyDigest, int sampleRate, short[] pcm) {
    this.keyDigest = keyDigest;
    this.sampleRate = sampleRate;
    this.pcm = pcm;
  }
}

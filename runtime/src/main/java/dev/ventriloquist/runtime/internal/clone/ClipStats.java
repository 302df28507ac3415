package dev.ventriloquist.runtime.internal.clone;

/**
 * What the validator measured on a clip (levels in dB relative to full scale, from 20 ms frames of the 24 kHz mono
 * signal). Printed by {@code voice check} so a user can see how far from a limit a clip is.
 *
 * @param durationSeconds length of the clip
 * @param peakDbfs loudest sample of the original, before mixing down
 * @param clippedFraction share of original samples at or beyond full scale
 * @param speechLevelDbfs the 95th percentile of frame RMS: how loud the speech is
 * @param noiseFloorDbfs the 10th percentile of frame RMS: the level in the pauses
 * @param snrDb {@code speechLevelDbfs - noiseFloorDbfs}
 * @param speechSeconds time judged to be speech (pauses up to the hangover included)
 * @param longestSpeechSeconds the longest stretch of continuous speech
 */
public record ClipStats(double durationSeconds, double peakDbfs, double clippedFraction, double speechLevelDbfs,
    double noiseFloorDbfs, double snrDb, double speechSeconds, double longestSpeechSeconds) {}

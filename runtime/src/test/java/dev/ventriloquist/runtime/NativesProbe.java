package dev.ventriloquist.runtime;

import dev.ventriloquist.api.EngineConfig;

/** Run by {@link MissingNativesTest} in a JVM without LWJGL's natives: prints what {@code create} throws. */
public final class NativesProbe {
  private NativesProbe() {}

  public static void main(String[] args) {
    try {
      Ventriloquist.create(EngineConfig.builder().build()).close();
      System.out.println("created");
    } catch (RuntimeException e) {
      System.out.println("thrown: " + e.getClass().getName() + ": " + e.getMessage());
    }
  }
}

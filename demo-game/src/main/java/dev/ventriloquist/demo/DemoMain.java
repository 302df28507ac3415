package dev.ventriloquist.demo;

/** Placeholder entry point of the demo game; the village scene lands with the demo. */
public final class DemoMain {
  private DemoMain() {}

  public static void main(String[] args) {
    System.out.println("The Ventriloquist demo game is not built yet; use ./ventriloquist say.");
  }
}

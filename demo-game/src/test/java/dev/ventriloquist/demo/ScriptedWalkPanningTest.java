package dev.ventriloquist.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.ventriloquist.runtime.Ventriloquist;
import dev.ventriloquist.api.ChannelMode;
import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.api.Speech;
import dev.ventriloquist.api.SpeechOptions;
import dev.ventriloquist.api.SpeechState;
import dev.ventriloquist.api.VoiceEngine;
import dev.ventriloquist.runtime.internal.openal.LoopbackOutput;
import dev.ventriloquist.runtime.internal.openal.OpenAlConfig;
import dev.ventriloquist.runtime.internal.openal.OpenAlOutputs;

/**
 * A scripted walk past the guard, rendered through OpenAL's loopback device: the player starts east of the guard
 * (the guard is on the player's left) and walks west past him, so his voice must move from the left ear to the
 * right. Uses the game's own pieces: the village map, the guard's voice pack and emitter, the walk script, the
 * player's movement and the 2D → OpenAL mapping with the listener facing up the screen.
 */
class ScriptedWalkPanningTest {
  private static final int RATE = 48_000;
  /** Game frame: 20 ms of simulation, then 20 ms of rendered audio. */
  private static final float DT = 0.02f;
  private static final int FRAMES_PER_STEP = Math.round(RATE * DT);
  private static final String LINE = "Halt, who goes there, state your name and your business in the city, traveller, "
      + "the gates close at sundown so be quick about it";

  @Test
  void theGuardIsHeardOnTheLeftThenOnTheRightOnceThePlayerHasWalkedPast() throws Exception {
    Village village = Village.load(Assets.dir().resolve("map/village.json"));
    Villager guard = village.villager("guard");
    List<Cast.Member> cast = Cast.assemble(Assets.voices(), List.of("guard"));
    LoopbackOutput out = OpenAlOutputs.loopback(RATE, OpenAlConfig.builder().hrtf(OpenAlConfig.Hrtf.OFF).build());
    EngineConfig config = EngineConfig.builder().eventExecutor(Runnable::run).build();
    VoiceEngine engine = EngineSetup.prepare(Ventriloquist.create(config, out), cast);
    try {
      Player player = new Player(guard.x() + 4.5f, guard.y());
      WalkScript walk = WalkScript.parse("wait 0.4\nwalk " + (guard.x() - 4.5f) + " " + guard.y() + "\nwait 0.4\n",
          "walk past the guard");
      float[] al = new float[3];
      SoundSpace.toAl(player.x(), player.y(), al);
      engine.setListenerPosition(al[0], al[1], al[2]);

      Speech line = engine.say("guard", LINE, SpeechOptions.builder().mode(ChannelMode.QUEUE)
          .priority(EngineVoices.DIALOGUE_PRIORITY).emitter(guard.emitter()).build());
      // Offline rendering has no deadline: let the embedded voice finish the line first so it never underruns.
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (line.state() == SpeechState.QUEUED || line.state() == SpeechState.SYNTHESIZING) {
        if (System.nanoTime() > deadline) {
          fail("the guard's line was not synthesized within 30 s: " + line.state());
        }
        Thread.sleep(10);
      }
      assertEquals(SpeechState.PLAYING, line.state(), () -> "line failed: " + line.failure());

      double leftL = 0;
      double leftR = 0;
      double rightL = 0;
      double rightR = 0;
      int leftSteps = 0;
      int rightSteps = 0;
      int steps = 0;
      while (!walk.done() && !line.state().isTerminal()) {
        WalkScript.Input in = walk.update(player.x(), player.y(), DT);
        player.move(in.dx(), in.dy(), DT, village.map());
        SoundSpace.toAl(player.x(), player.y(), al);
        engine.setListenerPosition(al[0], al[1], al[2]);
        float[] stereo = out.render(FRAMES_PER_STEP);
        double l = 0;
        double r = 0;
        for (int i = 0; i < stereo.length; i += 2) {
          l += stereo[i] * stereo[i];
          r += stereo[i + 1] * stereo[i + 1];
        }
        float guardOffset = guard.x() - player.x(); // < 0: the guard is left of the player
        if (guardOffset <= -2f) {
          leftL += l;
          leftR += r;
          leftSteps++;
        } else if (guardOffset >= 2f) {
          rightL += l;
          rightR += r;
          rightSteps++;
        }
        steps++;
      }
      assertTrue(walk.done(), "the line ended before the walk did (" + steps + " steps, player at x="
          + player.x() + ")");
      double whileLeft = db(leftL / Math.max(leftR, 1e-20));
      double whileRight = db(rightR / Math.max(rightL, 1e-20));
      System.out.printf("walk past the guard: %d steps; guard on the left (%d steps): L/R = %.1f dB, energy L %.3g R %.3g;"
          + " guard on the right (%d steps): R/L = %.1f dB, energy L %.3g R %.3g%n",
          steps, leftSteps, whileLeft, leftL, leftR, rightSteps, whileRight, rightL, rightR);
      assertTrue(leftSteps >= 10 && rightSteps >= 10, "too few steps on each side: " + leftSteps + ", " + rightSteps);
      assertTrue(leftL > 1e-3, "the guard was not heard while on the left: " + leftL);
      assertTrue(rightR > 1e-3, "the guard was not heard while on the right: " + rightR);
      assertTrue(whileLeft >= 10, "guard on the player's left should be louder in the left channel: " + whileLeft + " dB");
      assertTrue(whileRight >= 10, "guard on the player's right should be louder in the right channel: " + whileRight
          + " dB");
    } finally {
      engine.close();
      out.close();
    }
  }

  private static double db(double energyRatio) {
    return 10 * Math.log10(energyRatio);
  }
}

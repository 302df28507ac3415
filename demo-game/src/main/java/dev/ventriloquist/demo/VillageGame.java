package dev.ventriloquist.demo;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.badlogic.gdx.ApplicationAdapter;
import com.badlogic.gdx.Gdx;
import com.badlogic.gdx.Input;
import com.badlogic.gdx.InputAdapter;
import com.badlogic.gdx.graphics.Color;
import com.badlogic.gdx.graphics.GL20;
import com.badlogic.gdx.graphics.Pixmap;
import com.badlogic.gdx.graphics.PixmapIO;
import com.badlogic.gdx.graphics.g2d.BitmapFont;
import com.badlogic.gdx.graphics.g2d.GlyphLayout;
import com.badlogic.gdx.graphics.g2d.SpriteBatch;
import com.badlogic.gdx.graphics.glutils.ShapeRenderer;
import com.badlogic.gdx.math.Vector2;
import com.badlogic.gdx.utils.BufferUtils;
import com.badlogic.gdx.utils.ScreenUtils;
import com.badlogic.gdx.utils.viewport.FitViewport;
import com.badlogic.gdx.utils.viewport.ScreenViewport;

import dev.ventriloquist.api.BackendInfo;
import dev.ventriloquist.api.EngineConfig;
import dev.ventriloquist.api.EngineStats;
import dev.ventriloquist.api.VoiceEngine;

/**
 * The village scene. Everything here runs on the libGDX render thread; the voice engine is started on a background
 * thread and its events come back through {@code Gdx.app::postRunnable}, so a frame never waits for synthesis.
 *
 * <p>With no GL context (the headless backend) the game logic runs and nothing is drawn.
 */
public final class VillageGame extends ApplicationAdapter {
  private static final Logger LOG = Logger.getLogger(VillageGame.class.getName());

  /** The player barks-trigger radius around each villager, in metres. */
  static final float BARK_RADIUS = 4f;
  /** Seconds before the same villager barks again. */
  static final float BARK_COOLDOWN = 12f;
  /** Seconds the player may stand near a villager before it says its {@code <id>.linger} line (the angry guard). */
  static final float LINGER_SECONDS = 8f;
  /** How close the player must be to talk (E). */
  static final float TALK_RADIUS = 3.5f;
  /** How far the player may walk from the partner before a conversation is dropped. */
  static final float LEAVE_RADIUS = 7f;
  /** Longest frame step fed to the simulation (a stall must not teleport the player). */
  static final float MAX_DT = 0.1f;

  static final Color GROUND = Color.valueOf("4f8a3cff");
  static final Color PATH = Color.valueOf("c8b27aff");
  static final Color PLAYER = Color.valueOf("ffe04aff");
  /** The dialogue script, under the assets folder. */
  static final String DIALOGUE = "dialogue/village.json";
  /** Width of the HUD panel in pixels (top-left corner). */
  static final int HUD_WIDTH = 760;
  static final Color HUD_BG = new Color(0.06f, 0.06f, 0.12f, 0.85f);
  /** Head radius of a villager's face, in metres (large enough to see the mouth move). */
  static final float FACE_RADIUS = 0.75f;
  /** Side of the speaker's portrait beside the dialogue box, in pixels. */
  static final int PORTRAIT = 112;

  private final DemoOptions options;

  // World (game thread).
  private Village village;
  private DialogueScript script;
  private Player player;
  private WalkScript walk;
  private BarkTriggers barks;
  private final LingerTrigger lingering = new LingerTrigger(BARK_RADIUS, LINGER_SECONDS);
  private DialogueRunner dialogue;
  private final Subtitles subtitles = new Subtitles();
  private final Map<String, Integer> nextBark = new HashMap<>();
  private final Map<String, Integer> nextDialogue = new HashMap<>();
  private List<Cast.Member> cast = List.of();
  private float time;
  private boolean talkPressed;
  /** The pause menu is open (Esc): the world, voices and subtitles stand still. */
  private boolean paused;
  /** Cutscene lines synthesized into the cache ahead of time: done, and how many were asked for. */
  private int prefetched;
  private int prefetching;
  private String lastBarkFailure;
  private final float[] alScratch = new float[3];

  // Engine (set on the game thread once the background start finished).
  private volatile VoiceEngine engine;
  private Voices engineVoices; // game thread; set with engine
  private Oracle oracle; // game thread; set with engine
  private boolean disposed;
  private BackendInfo backend;
  private String audioDescription = "starting";
  private String engineError;
  private Settings settings = new Settings(null, Settings.HrtfHook.unavailable("starting"),
      Settings.BakeHook.unavailable("starting"));

  // Drawing (null when headless).
  private ShapeRenderer shapes;
  private SpriteBatch batch;
  private BitmapFont font;
  private FitViewport worldView;
  private ScreenViewport screenView;
  private final GlyphLayout layout = new GlyphLayout();
  private final Vector2 tmp = new Vector2();
  private final Color tmpColor = new Color();
  private boolean screenshotTaken;

  public VillageGame(DemoOptions options) {
    this.options = options;
  }

  @Override
  public void create() {
    try {
      village = Village.load(options.assets().resolve("map/village.json"));
      script = DialogueScript.load(options.assets().resolve(DIALOGUE));
      walk = options.walk() == null ? null : WalkScript.load(options.walk());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the demo assets under " + options.assets()
          + " (run from the repository root, or pass --assets DIR)", e);
    }
    player = new Player(village.spawnX(), village.spawnY());
    barks = new BarkTriggers(BARK_RADIUS, BARK_COOLDOWN);
    Map<String, Villager> byId = new HashMap<>();
    List<String> ids = new ArrayList<>();
    for (Villager v : village.villagers()) {
      byId.put(v.id(), v);
      ids.add(v.id());
    }
    cast = Cast.assemble(options.voices(), ids);
    dialogue = new DialogueRunner(voices, subtitles, byId, LEAVE_RADIUS);
    startEngine();

    if (Gdx.gl != null) {
      shapes = new ShapeRenderer();
      batch = new SpriteBatch();
      font = new BitmapFont();
      font.setUseIntegerPositions(true);
      worldView = new FitViewport(village.map().width(), village.map().height());
      screenView = new ScreenViewport();
      resize(Gdx.graphics.getWidth(), Gdx.graphics.getHeight());
    }
    Gdx.input.setInputProcessor(new InputAdapter() {
      @Override
      public boolean keyDown(int key) {
        switch (key) {
          case Input.Keys.E -> talkPressed = true;
          case Input.Keys.MINUS, Input.Keys.NUMPAD_SUBTRACT -> settings.nudgeGain(-1);
          case Input.Keys.EQUALS, Input.Keys.PLUS, Input.Keys.NUMPAD_ADD -> settings.nudgeGain(1);
          case Input.Keys.H -> settings.toggleHrtf();
          case Input.Keys.B -> settings.startBake();
          case Input.Keys.ESCAPE -> togglePause();
          case Input.Keys.Q -> {
            if (!paused) {
              return false;
            }
            Gdx.app.exit();
          }
          default -> {
            return false;
          }
        }
        return true;
      }
    });
  }

  private void startEngine() {
    EngineConfig config = EngineSetup.config(options, Gdx.app::postRunnable);
    // Returns at once (GdxVoices starts the engine on libGDX's OpenAL context; the model loads in the background),
    // and lines said meanwhile wait for it.
    VoiceEngine e;
    try {
      e = EngineSetup.begin(config, cast);
    } catch (RuntimeException ex) {
      LOG.log(Level.SEVERE, "the voice engine did not start", ex);
      engineError = String.valueOf(ex.getMessage());
      return;
    }
    engine = e;
    engineVoices = new EngineVoices(e, Gdx.app::postRunnable);
    oracle = new Oracle(e, subtitles, Gdx.app::postRunnable, Oracle.wordsPerSecond(cast), OracleStream.REAL_TIME);
    audioDescription = e.audioStatus().device();
    e.ready().whenComplete((ready, error) -> { // on the game thread (the engine's event executor)
      if (error != null) {
        LOG.log(Level.SEVERE, "the voice engine did not start", error);
        engineError = String.valueOf(error.getMessage());
      } else {
        engineReady(e);
      }
    });
  }

  private void engineReady(VoiceEngine e) {
    if (disposed) {
      return;
    }
    backend = e.backend();
    audioDescription = e.audioStatus().device();
    settings = new Settings(e, GameAudio.hrtf(e), new ScriptBake(options.assets().resolve(DIALOGUE),
        options.voices(), EngineSetup.bakeConfig(options)));
    LOG.info("voice: " + Hud.backendLine(backend) + "; audio: " + audioDescription + "; " + Hud.castLine(cast));
    prefetchCutscenes(e);
  }

  /**
   * Synthesizes the opening line of every villager's first conversation into the cache now, so that when the
   * player talks to them it plays at once, as a cache hit. Needs a cache ({@code --cache}).
   */
  private void prefetchCutscenes(VoiceEngine e) {
    if (options.cache() == null) {
      return;
    }
    for (Villager v : village.villagers()) {
      List<DialogueScript.Dialogue> ds = script.dialoguesOf(v.id());
      if (ds.isEmpty() || ds.get(0).lines().isEmpty() || !e.characters().contains(v.id())) {
        continue;
      }
      DialogueScript.Line first = ds.get(0).lines().get(0);
      prefetching++;
      e.prefetch(first.character(), first.text(), EngineVoices.options(first, Voices.Kind.DIALOGUE,
          v.emitter())).whenComplete((ok, error) -> Gdx.app.postRunnable(() -> {
            if (error == null) {
              prefetched++;
            } else {
              LOG.warning("could not prefetch " + first.id() + ": " + error.getMessage());
            }
          }));
    }
  }

  /** Opens or closes the pause menu: every voice, its subtitles and the world stop where they are. */
  void togglePause() {
    paused = !paused;
    VoiceEngine e = engine;
    if (e != null) {
      if (paused) {
        e.pause();
      } else {
        e.resume();
      }
    }
  }

  boolean paused() {
    return paused;
  }

  /** Cutscene lines prefetched so far, and asked for (for the HUD and tests). */
  int[] prefetchProgress() {
    return new int[] {prefetched, prefetching};
  }

  /** The engine as the game logic sees it; lines said while it starts wait in the engine. */
  private final Voices voices = (speaker, line, kind, events) -> {
    Voices v = engineVoices;
    if (v == null) {
      Gdx.app.postRunnable(() -> events.failed(engineError == null ? "no voice engine" : engineError));
      return () -> {};
    }
    return v.say(speaker, line, kind, events);
  };

  @Override
  public void resize(int width, int height) {
    if (worldView != null) {
      worldView.update(width, height, true);
      screenView.update(width, height, true);
    }
  }

  @Override
  public void render() {
    float dt = Math.min(MAX_DT, Gdx.graphics.getDeltaTime());
    if (!paused) {
      update(dt); // paused: the world, bubbles and subtitles hold still, as the voices do
    }
    if (Gdx.gl != null) {
      draw();
      maybeScreenshot();
    }
  }

  /** One step of game logic. */
  void update(float dt) {
    time += dt;
    float ix = 0f;
    float iy = 0f;
    boolean talk = talkPressed;
    talkPressed = false;
    if (walk != null && !walk.done()) {
      WalkScript.Input in = walk.update(player.x(), player.y(), dt);
      ix = in.dx();
      iy = in.dy();
      talk |= in.talk();
    } else {
      if (Gdx.input.isKeyPressed(Input.Keys.A) || Gdx.input.isKeyPressed(Input.Keys.LEFT)) {
        ix -= 1f;
      }
      if (Gdx.input.isKeyPressed(Input.Keys.D) || Gdx.input.isKeyPressed(Input.Keys.RIGHT)) {
        ix += 1f;
      }
      if (Gdx.input.isKeyPressed(Input.Keys.W) || Gdx.input.isKeyPressed(Input.Keys.UP)) {
        iy += 1f;
      }
      if (Gdx.input.isKeyPressed(Input.Keys.S) || Gdx.input.isKeyPressed(Input.Keys.DOWN)) {
        iy -= 1f;
      }
    }
    player.move(ix, iy, dt, village.map());
    VoiceEngine e = engine;
    if (e != null) {
      SoundSpace.toAl(player.x(), player.y(), alScratch);
      e.setListenerPosition(alScratch[0], alScratch[1], alScratch[2]);
    }
    for (Villager v : barks.update(player.x(), player.y(), time, village.villagers())) {
      bark(v);
    }
    for (Villager v : lingering.update(player.x(), player.y(), dt, village.villagers())) {
      DialogueScript.Dialogue d = script.dialogues().get(v.id() + ".linger");
      if (d != null && !d.lines().isEmpty()) {
        bark(v, d.lines().get(0)); // its text carries the markup, e.g. "[angry] …": the voice pack's angry take
      }
    }
    dialogue.update(player.x(), player.y());
    dialogue.tick(dt);
    if (talk) {
      talk();
    }
    subtitles.tick(dt);
    for (Villager v : village.villagers()) {
      v.tick(dt);
    }
  }

  private void bark(Villager v) {
    if (dialogue.state() == DialogueRunner.State.SPEAKING) {
      return; // the player is in a conversation: nobody interrupts
    }
    List<DialogueScript.Line> lines = script.barksOf(v.id());
    if (lines.isEmpty()) {
      return;
    }
    int i = nextBark.merge(v.id(), 1, Integer::sum) - 1;
    bark(v, lines.get(i % lines.size()));
  }

  private void bark(Villager v, DialogueScript.Line line) {
    if (dialogue.state() == DialogueRunner.State.SPEAKING) {
      return;
    }
    voices.say(v, line, Voices.Kind.BARK, new Voices.LineEvents() {
      @Override
      public void started() {
        v.bubble(line.text());
      }

      @Override
      public void progress(float fraction) {
        v.bubbleProgress(fraction);
      }

      @Override
      public void finished() {
        v.bubbleDone(true);
      }

      @Override
      public void interrupted() {
        v.bubbleDone(false);
      }

      @Override
      public void failed(String why) {
        lastBarkFailure = line.id() + ": " + why;
      }
    });
  }

  private void talk() {
    if (dialogue.state() == DialogueRunner.State.SPEAKING) {
      dialogue.skip();
      return;
    }
    Villager v = village.nearest(player.x(), player.y(), TALK_RADIUS);
    if (v == null) {
      return;
    }
    if (v.id().equals(Oracle.ID) && oracle != null) {
      oracle.ask(v); // answers written word by word by a (scripted) language model, spoken as they arrive
      return;
    }
    List<DialogueScript.Dialogue> ds = script.dialoguesOf(v.id());
    if (ds.isEmpty()) {
      return;
    }
    int i = nextDialogue.merge(v.id(), 1, Integer::sum) - 1;
    dialogue.start(ds.get(i % ds.size()), v);
  }

  // ---------------------------------------------------------------- drawing

  private void draw() {
    ScreenUtils.clear(0.08f, 0.1f, 0.08f, 1f);
    worldView.apply();
    shapes.setProjectionMatrix(worldView.getCamera().combined);
    Gdx.gl.glEnable(GL20.GL_BLEND);
    shapes.begin(ShapeRenderer.ShapeType.Filled);
    WorldMap map = village.map();
    shapes.setColor(GROUND);
    shapes.rect(0, 0, map.width(), map.height());
    shapes.setColor(PATH);
    shapes.rect(0, 8, map.width(), 2); // the road from the west gate to the forge
    shapes.rect(19, 3, 2, 13); // from the stall to the well
    for (WorldMap.Block b : map.blocks()) {
      drawBlock(b);
    }
    List<Villager> villagers = village.villagers();
    for (int i = 0; i < villagers.size(); i++) {
      Villager v = villagers.get(i);
      Color c = tmpColor.set(v.rgba());
      shapes.setColor(c.r * 0.5f, c.g * 0.5f, c.b * 0.5f, 1f);
      shapes.circle(v.x(), v.y(), FACE_RADIUS + 0.12f, 32);
      // The face's mouth is the engine's, for the samples being heard now (Speech.mouth(), polled each frame).
      Faces.draw(shapes, v.x(), v.y(), FACE_RADIUS, c, v.mouth(), time, i);
    }
    shapes.setColor(0.2f, 0.16f, 0.05f, 1f);
    shapes.circle(player.x(), player.y(), Player.RADIUS + 0.08f, 32);
    shapes.setColor(PLAYER);
    shapes.circle(player.x(), player.y(), Player.RADIUS, 32);
    shapes.end();

    // Screen-space overlay: labels, bubbles, subtitles, HUD.
    screenView.apply();
    shapes.setProjectionMatrix(screenView.getCamera().combined);
    batch.setProjectionMatrix(screenView.getCamera().combined);
    List<String> hud = hudLines();
    float hudH = 12 + hud.size() * 20f;
    float top = screenView.getWorldHeight();
    shapes.begin(ShapeRenderer.ShapeType.Filled);
    shapes.setColor(HUD_BG);
    shapes.rect(8, top - 8 - hudH, HUD_WIDTH, hudH);
    for (Villager v : village.villagers()) {
      String b = v.bubbleVisible();
      if (b != null && !b.isEmpty()) {
        layout.setText(font, b);
        toScreen(v.x(), v.y() + FACE_RADIUS + 0.3f);
        shapes.setColor(1f, 1f, 1f, 0.92f);
        shapes.rect(tmp.x - layout.width / 2 - 6, tmp.y, layout.width + 12, layout.height + 12);
      }
    }
    if (subtitles.visible()) {
      shapes.setColor(0f, 0f, 0f, 0.7f);
      shapes.rect(screenView.getWorldWidth() / 2 - 420, 20, 840, 56);
      Villager speaker = villagerNamed(subtitles.speaker());
      if (speaker != null) {
        // Close-up portrait of the speaker beside the dialogue box, mouth on the playback clock.
        float px = screenView.getWorldWidth() / 2 - 420 - PORTRAIT - 8;
        shapes.setColor(0f, 0f, 0f, 0.7f);
        shapes.rect(px, 20, PORTRAIT, PORTRAIT);
        Faces.draw(shapes, px + PORTRAIT / 2f, 20 + PORTRAIT / 2f - 4, PORTRAIT * 0.4f, tmpColor.set(speaker.rgba()),
            speaker.mouth(), time, village.villagers().indexOf(speaker));
      }
    }
    float bake = settings.bake().progress();
    if (bake >= 0f) {
      shapes.setColor(0.3f, 0.3f, 0.3f, 1f);
      shapes.rect(16, top - 8 - hudH - 14, 300, 8);
      shapes.setColor(0.3f, 0.8f, 0.4f, 1f);
      shapes.rect(16, top - 8 - hudH - 14, 300 * Math.min(1f, bake), 8);
    }
    shapes.end();

    batch.begin();
    for (int i = 0; i < hud.size(); i++) {
      font.setColor(i == 0 ? Color.WHITE : hud.get(i).startsWith("Last failed") ? Color.SALMON : Color.LIGHT_GRAY);
      font.draw(batch, hud.get(i), 18, top - 16 - i * 20f);
    }
    for (Villager v : village.villagers()) {
      toScreen(v.x(), v.y() - FACE_RADIUS - 0.35f);
      font.setColor(Color.WHITE);
      layout.setText(font, v.name());
      font.draw(batch, v.name(), tmp.x - layout.width / 2, tmp.y);
      String b = v.bubbleVisible();
      if (b != null && !b.isEmpty()) {
        toScreen(v.x(), v.y() + FACE_RADIUS + 0.3f);
        font.setColor(Color.BLACK);
        layout.setText(font, b);
        font.draw(batch, b, tmp.x - layout.width / 2, tmp.y + layout.height + 6);
      }
    }
    if (subtitles.visible()) {
      font.setColor(Color.GOLD);
      String who = subtitles.speaker() + ":";
      font.draw(batch, who, screenView.getWorldWidth() / 2 - 408, 62);
      font.setColor(Color.WHITE);
      font.draw(batch, subtitles.visibleText(), screenView.getWorldWidth() / 2 - 408, 42);
    } else {
      Villager near = village.nearest(player.x(), player.y(), TALK_RADIUS);
      if (near != null && dialogue.state() == DialogueRunner.State.IDLE) {
        font.setColor(Color.WHITE);
        String hint = "Press E to talk to the " + near.name().toLowerCase(java.util.Locale.ROOT);
        layout.setText(font, hint);
        font.draw(batch, hint, screenView.getWorldWidth() / 2 - layout.width / 2, 48);
      }
    }
    batch.end();
    if (paused) {
      drawPauseMenu();
    }
  }

  private void drawPauseMenu() {
    float w = screenView.getWorldWidth();
    float h = screenView.getWorldHeight();
    shapes.begin(ShapeRenderer.ShapeType.Filled);
    shapes.setColor(0f, 0f, 0f, 0.6f);
    shapes.rect(0, 0, w, h);
    shapes.setColor(HUD_BG);
    shapes.rect(w / 2 - 200, h / 2 - 60, 400, 120);
    shapes.end();
    batch.begin();
    font.setColor(Color.WHITE);
    for (String[] row : new String[][] {{"Paused", "30"}, {"Esc  resume", "0"}, {"Q  quit", "-24"}}) {
      layout.setText(font, row[0]);
      font.draw(batch, row[0], w / 2 - layout.width / 2, h / 2 + Float.parseFloat(row[1]) + 8);
    }
    batch.end();
  }

  private void drawBlock(WorldMap.Block b) {
    switch (b.kind()) {
      case "house" -> {
        shapes.setColor(0.54f, 0.35f, 0.23f, 1f);
        shapes.rect(b.x(), b.y(), b.w(), b.h());
        shapes.setColor(0.66f, 0.23f, 0.16f, 1f);
        shapes.rect(b.x() - 0.2f, b.y() + b.h() * 0.55f, b.w() + 0.4f, b.h() * 0.45f);
        shapes.setColor(0.3f, 0.2f, 0.12f, 1f);
        shapes.rect(b.x() + b.w() / 2 - 0.5f, b.y(), 1f, 1.6f);
      }
      case "well" -> {
        shapes.setColor(0.55f, 0.55f, 0.55f, 1f);
        shapes.circle(b.x() + b.w() / 2, b.y() + b.h() / 2, b.w() / 2, 32);
        shapes.setColor(0.15f, 0.25f, 0.45f, 1f);
        shapes.circle(b.x() + b.w() / 2, b.y() + b.h() / 2, b.w() / 2 - 0.3f, 32);
      }
      case "tree" -> {
        shapes.setColor(0.2f, 0.42f, 0.18f, 1f);
        shapes.circle(b.x() + b.w() / 2, b.y() + b.h() / 2, b.w() * 0.75f, 24);
      }
      case "stall" -> {
        shapes.setColor(0.42f, 0.29f, 0.16f, 1f);
        shapes.rect(b.x(), b.y(), b.w(), b.h());
        for (int i = 0; i < 6; i++) {
          shapes.setColor(i % 2 == 0 ? Color.WHITE : Color.FIREBRICK);
          shapes.rect(b.x() + i * b.w() / 6, b.y() + b.h() * 0.6f, b.w() / 6, b.h() * 0.4f);
        }
      }
      case "forge" -> {
        shapes.setColor(0.3f, 0.3f, 0.32f, 1f);
        shapes.rect(b.x(), b.y(), b.w(), b.h());
        shapes.setColor(1f, 0.45f, 0.1f, 1f);
        shapes.rect(b.x() + 0.7f, b.y() + 0.7f, b.w() - 1.4f, b.h() - 1.4f);
      }
      default -> {
        shapes.setColor(0.4f, 0.4f, 0.4f, 1f);
        shapes.rect(b.x(), b.y(), b.w(), b.h());
      }
    }
  }

  private Villager villagerNamed(String name) {
    for (Villager v : village.villagers()) {
      if (v.name().equals(name)) {
        return v;
      }
    }
    return null;
  }

  /** The villager nearest the player who has a line queued or playing, or null. */
  private Villager nearestTalking() {
    Villager best = null;
    float bestD = Float.MAX_VALUE;
    for (Villager v : village.villagers()) {
      float d = v.distanceTo(player.x(), player.y());
      if (v.talking() && d < bestD) {
        best = v;
        bestD = d;
      }
    }
    return best;
  }

  /** World point to screen-overlay coordinates, into {@link #tmp}. */
  private void toScreen(float x, float y) {
    tmp.set(x, y);
    worldView.project(tmp);
  }

  private List<String> hudLines() {
    List<String> lines = new ArrayList<>();
    VoiceEngine e = engine;
    if (engineError != null) {
      lines.add("Voice: failed to start: " + engineError);
    } else if (backend == null) {
      lines.add("Voice: starting... (lines wait for it)");
    } else {
      lines.add(Hud.backendLine(backend) + (prefetching == 0 ? ""
          : "   Cutscene lines prefetched: " + prefetched + "/" + prefetching));
    }
    lines.add("Audio: " + audioDescription);
    lines.add(Hud.castLine(cast));
    EngineStats s = e == null ? null : e.stats();
    lines.add(s == null ? "Last line: -" : Hud.statsLine(s));
    lines.add(Hud.settingsLine(settings));
    Villager talking = nearestTalking();
    lines.add(Hud.mouthLine(talking == null ? null : talking.name(), talking == null ? null : talking.mouth()));
    String failure = dialogue.lastFailure() != null ? dialogue.lastFailure() : lastBarkFailure;
    if (failure != null) {
      lines.add("Last failed line: " + (failure.length() > 95 ? failure.substring(0, 92) + "..." : failure));
    }
    lines.add("WASD/arrows walk   E talk / next line   Esc pause" + (walk != null && !walk.done() ? "   (walk script)" : ""));
    return lines;
  }

  private void maybeScreenshot() {
    if (options.screenshot() == null || screenshotTaken || time < options.after()) {
      return;
    }
    screenshotTaken = true;
    int w = Gdx.graphics.getBackBufferWidth();
    int h = Gdx.graphics.getBackBufferHeight();
    byte[] pixels = ScreenUtils.getFrameBufferPixels(0, 0, w, h, true);
    for (int i = 3; i < pixels.length; i += 4) {
      pixels[i] = (byte) 0xff;
    }
    Pixmap pixmap = new Pixmap(w, h, Pixmap.Format.RGBA8888);
    BufferUtils.copy(pixels, 0, pixmap.getPixels(), pixels.length);
    Path out = options.screenshot().toAbsolutePath();
    PixmapIO.writePNG(Gdx.files.absolute(out.toString()), pixmap);
    pixmap.dispose();
    LOG.info("screenshot saved to " + out + " after " + time + " s");
    Gdx.app.exit();
  }

  // ---------------------------------------------------------------- for tests and the headless run

  Player player() {
    return player;
  }

  DialogueRunner dialogue() {
    return dialogue;
  }

  Village village() {
    return village;
  }

  Subtitles subtitles() {
    return subtitles;
  }

  VoiceEngine engine() {
    return engine;
  }

  @Override
  public void dispose() {
    disposed = true;
    if (dialogue != null) {
      dialogue.cancel();
    }
    if (oracle != null) {
      oracle.stop();
    }
    VoiceEngine e = engine;
    engine = null;
    engineVoices = null;
    // Before libGDX closes its audio: the engine's sources live on libGDX's OpenAL context. (GdxVoices also
    // closes it when the application is disposed; closing twice is harmless, and close() returns within about 2 s.)
    if (e != null) {
      e.close();
    }
    if (shapes != null) {
      shapes.dispose();
      batch.dispose();
      font.dispose();
    }
  }
}

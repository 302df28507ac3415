package dev.ventriloquist.gdx;

import com.badlogic.gdx.Files.FileType;
import com.badlogic.gdx.assets.AssetDescriptor;
import com.badlogic.gdx.assets.AssetLoaderParameters;
import com.badlogic.gdx.assets.AssetManager;
import com.badlogic.gdx.assets.loaders.AsynchronousAssetLoader;
import com.badlogic.gdx.assets.loaders.FileHandleResolver;
import com.badlogic.gdx.files.FileHandle;
import com.badlogic.gdx.utils.Array;
import com.badlogic.gdx.utils.GdxRuntimeException;
import dev.ventriloquist.api.VoicePack;
import dev.ventriloquist.runtime.Ventriloquist;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Loads voice packs through libGDX's {@link AssetManager}: a folder ({@code voices/guard}, with {@code voice.json}
 * and its clip) on disk, or a {@code .zip} pack from anywhere libGDX can read (internal, classpath, local,
 * external). Reading happens on the asset manager's loader thread; a hostile or broken pack fails the load with
 * libGDX's usual {@link GdxRuntimeException} carrying the {@link dev.ventriloquist.api.VoicePackException}.
 * Register it with {@link GdxVoices#registerLoader}.
 */
public final class VoicePackLoader extends AsynchronousAssetLoader<VoicePack, VoicePackLoader.Parameters> {
  /** No options yet; here so that {@code assets.load(name, VoicePack.class, params)} type-checks. */
  public static final class Parameters extends AssetLoaderParameters<VoicePack> {}

  private volatile VoicePack loaded;

  public VoicePackLoader(FileHandleResolver resolver) {
    super(resolver);
  }

  @Override
  public void loadAsync(AssetManager manager, String fileName, FileHandle file, Parameters parameter) {
    try {
      loaded = read(file);
    } catch (IOException e) {
      throw new GdxRuntimeException("voice pack " + fileName + " could not be read: " + e.getMessage(), e);
    }
  }

  @Override
  public VoicePack loadSync(AssetManager manager, String fileName, FileHandle file, Parameters parameter) {
    VoicePack pack = loaded;
    loaded = null;
    return pack;
  }

  @Override
  @SuppressWarnings("rawtypes")
  public Array<AssetDescriptor> getDependencies(String fileName, FileHandle file, Parameters parameter) {
    return null;
  }

  /** A file on disk is read where it is; a zip inside a jar or the classpath is copied out first, then deleted. */
  static VoicePack read(FileHandle file) throws IOException {
    if (file.type() != FileType.Classpath && file.file().exists()) {
      return Ventriloquist.loadVoicePack(file.file().toPath());
    }
    if (!file.name().endsWith(".zip")) {
      throw new IOException(file.path() + " is not on disk; a voice pack packaged inside the game's jar must be a "
          + ".zip (a folder pack must be a real folder)");
    }
    Path tmp = Files.createTempFile("voice-pack", ".zip");
    try (InputStream in = file.read()) {
      Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
      return Ventriloquist.loadVoicePack(tmp);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}

/**
 * Model-pack files: {@code .npy} tables,
 * the config records parsed from {@code config.json} / {@code generation_config.json} /
 * {@code speech_tokenizer/config.json}, the split decoder geometry
 * and the pack manifest ({@link dev.ventriloquist.runtime.internal.model.ModelPackManifest}).
 *
 * <p>Codec embedding tables of a pack (C order): {@code talker_codec_embedding.npy} [V, D] (float32) embeds codebook 0
 * and the codec special ids; {@code code_predictor_codec_embeddings.npy} [(Q-1)*V_pred, D] (float32, or IEEE half in
 * quantised packs, rows from byte 65536 so that the frame graph maps the same file; older packs: [Q-1, V_pred, D]
 * float32) embeds codebooks 1..Q-1 (rows k*V_pred.. serve codebook k+1). A frame's talker input is row c0 of the
 * first plus row (k-1)*V_pred + c_k of the second for k >= 1. The projected text table
 * {@code text_embed_projected.npy} [V_text, D] is float32, half, or int8 with {@code .scales.npy} [V_text] beside it
 * ({@link dev.ventriloquist.runtime.internal.model.RowTable}).
 */
package dev.ventriloquist.runtime.internal.model;

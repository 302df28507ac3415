/**
 * Model-pack files: {@code .npy} tables,
 * the config records parsed from {@code config.json} / {@code generation_config.json} /
 * {@code speech_tokenizer/config.json}, the split decoder geometry
 * and the pack manifest ({@link dev.ventriloquist.runtime.internal.model.ModelPackManifest}).
 *
 * <p>Codec embedding tables of a pack (float32, C order): {@code talker_codec_embedding.npy} [V, D] embeds codebook 0
 * and the codec special ids; {@code code_predictor_codec_embeddings.npy} [Q-1, V_pred, D] embeds codebooks 1..Q-1
 * (table k serves codebook k+1). A frame's talker input is row c0 of the first plus row c_k of table k-1 for k >= 1.
 */
package dev.ventriloquist.runtime.internal.model;

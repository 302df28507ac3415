/**
 * Builds the ONNX graphs of a Qwen3-TTS model pack from a checkpoint, in Java, with the raw ONNX protobuf builders
 * (opset 17, IR 8).
 *
 * <p>Entry point: {@link dev.ventriloquist.importer.Qwen3TtsImporter}. Graph I/O (B = 1; every float is fp32 at the
 * interface whatever the weight precision):
 *
 * <pre>
 * text_embed.onnx       input_ids i64[1,S] -> text_embeds f32[1,S,D]
 * talker.onnx           inputs_embeds f32[1,S,D], position_ids i64[1,S], past_keys/past_values f32[L,1,KV,P,hd]
 *                       -> logits f32[1,V], hidden f32[1,D], present_keys/present_values f32[L,1,KV,P+S,hd]
 * code_predictor.onnx   inputs_embeds f32[1,S,D], generation_step i64[1], past_keys/past_values f32[Lp,1,KVp,P,hdp]
 *                       -> logits f32[1,Vp], present_keys/present_values f32[Lp,1,KVp,P+S,hdp]
 * codec_decoder.onnx    codes i64[1,16,T] -> wav f32[1,T*1920] (clamped to [-1, 1], causal)
 * speaker_encoder.onnx  wav24k f32[1,N] -> spk_embed f32[1,D]
 * codec_encoder.onnx    wav24k f32[1,N] -> codes i64[1,ceil(N/1920),16]  (always fp32 weights)
 * </pre>
 *
 * The first four are superseded at run time (by the projected text table, {@code talker_inplace.onnx},
 * {@code code_predictor_frame.onnx} and the decoder's two streaming halves, see {@link CodecDecoderSplit}); the
 * importer writes them only where nothing replaces them or when asked to keep them.
 *
 * A graph whose weights exceed 16 MB keeps them in {@code <graph>.onnx.data} beside it (ONNX external data), which
 * ONNX Runtime finds, and maps, when the session is created from the file path.
 */
package dev.ventriloquist.importer.internal.onnx;

package dev.ventriloquist.api;

/** Where model inference should run. */
public enum DevicePreference {
  /** CUDA when the GPU build of ONNX Runtime and a GPU are present, else CPU; the engine logs which. */
  AUTO,
  /** Always the CPU. */
  CPU,
  /** CUDA; if it cannot be used the engine logs why and falls back to the CPU. */
  GPU
}

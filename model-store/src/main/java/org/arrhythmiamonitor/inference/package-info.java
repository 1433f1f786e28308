/**
 * Beat and rhythm inference with ONNX Runtime: model loading against model cards, micro-batching
 * across devices, CPU by default and the CUDA execution provider when configured. The models and
 * their cards live in {@code model-store/models/}, the training pipeline in
 * {@code model-store/training/}.
 */
package org.arrhythmiamonitor.inference;

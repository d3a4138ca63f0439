package org.backprop.spark;

/**
 * Loss and accuracy of a model over a distributed data set (the Spark counterpart of the
 * core's {@code org.backprop.train.Evaluation}).
 *
 * @param meanLoss mean loss per sample
 * @param accuracy share of samples whose largest output is the class label (NaN for regression targets)
 * @param samples  number of samples
 */
public record SparkEvaluation(double meanLoss, double accuracy, long samples) {}

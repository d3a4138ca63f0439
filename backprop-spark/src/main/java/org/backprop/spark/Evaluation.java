package org.backprop.spark;

/**
 * Loss and accuracy of a model over a distributed data set.
 *
 * @param meanLoss mean loss per sample
 * @param accuracy share of samples whose largest output is the class label (NaN for regression targets)
 * @param samples  number of samples
 */
public record Evaluation(double meanLoss, double accuracy, long samples) {}

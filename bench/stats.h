#pragma once
// Small statistics for grove-bench: percentiles and the median with its spread. Pure.

#include <vector>

namespace grove::bench {

// The p-quantile (0 <= p <= 1) by nearest rank on a sorted copy; 0 for an empty vector.
double percentile(std::vector<double> v, double p);

// A median with the smallest and largest value it was taken from.
struct Spread {
  double median = 0;
  double min = 0;
  double max = 0;
};

// The median (the mean of the middle two for an even count), min and max of `v` (all 0 when
// empty).
Spread spread(const std::vector<double>& v);

}  // namespace grove::bench

/*
 * chi.h - Pearson's chi-square statistic and its upper 0.001 critical
 * value, for the uniformity tests of the draw (test_draw.c) and of mixed
 * panels (test_quota.c). Header only: two small pure functions.
 */
#ifndef EXPERTD_TEST_CHI_H
#define EXPERTD_TEST_CHI_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

/* Pearson's statistic for observed counts against one expected count. */
static inline double chi_square(const uint64_t *obs, size_t cells, double expected)
{
	double x = 0;
	for (size_t c = 0; c < cells; c++) {
		double d = (double)obs[c] - expected;
		x += d * d / expected;
	}
	return x;
}

/* Upper 0.001 critical value: table for df 1 and 2 (Wilson-Hilferty is
 * poor there), Wilson-Hilferty above, which errs slightly high. */
static inline double chi_crit(unsigned df)
{
	if (df == 1)
		return 10.828;
	if (df == 2)
		return 13.816;
	const double z = 3.090232306167813;     /* Phi^-1(0.999) */
	double a = 2.0 / (9.0 * df);
	double t = 1.0 - a + z * sqrt(a);
	return df * t * t * t;
}

#endif

// Log expected improvement, the acquisition function of the Bayesian strategy.
//
// For a maximisation problem with incumbent f*, posterior mean mu and standard
// deviation sigma at x, z = (mu - f*) / sigma and
//   EI(x) = sigma * h(z),  h(z) = phi(z) + z Phi(z)   (Jones, Schonlau & Welch 1998).
// Its logarithm is evaluated as in Ament, Daulton, Eriksson, Balandat & Bakshy,
// "Unexpected Improvements to Expected Improvement for Bayesian Optimization",
// NeurIPS 2023, eq. 9 (log_h), which stays accurate where EI itself underflows to 0:
//   log_h(z) = log(phi(z) + z Phi(z))                                   z > -1
//            = -z^2/2 - c1 + log1mexp(log(erfcx(-z/sqrt2) |z|) + c2)    -1/sqrt(eps) < z <= -1
//            = -z^2/2 - c1 - 2 log|z|                                   otherwise
// with c1 = log(2 pi)/2 and c2 = log(pi/2)/2.
#pragma once

#include <Eigen/Dense>

namespace sweep {

// Scaled complementary error function exp(x^2) erfc(x), accurate for all x >= -26;
// finite for every finite x (saturates to +inf only below -26.6).
double Erfcx(double x);
// log Phi(z), finite for every finite z.
double LogNormalCdf(double z);
// log h(z) as above; finite for every finite z.
double LogH(double z);

// log EI for posterior mean and variance (var clamped to >= 1e-24), incumbent best.
// Finite for every finite input.
double LogExpectedImprovement(double mean, double var, double best);

// log EI and its gradient with respect to x, given the posterior's gradients.
double LogExpectedImprovementWithGradient(double mean, double var, const Eigen::VectorXd& dmean,
                                          const Eigen::VectorXd& dvar, double best,
                                          Eigen::VectorXd& grad);

}  // namespace sweep

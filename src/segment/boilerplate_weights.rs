//! Weights of the boilerplate line model. Written by `cargo xtask train boilerplate`; do not edit.

/// Logistic-regression weights, one per feature of `boilerplate::features`.
pub(super) const WEIGHTS: [f32; super::boilerplate::N_FEATURES] = [
    -1.093292,
    -0.166089,
    -0.102195,
    -0.588370,
    -0.317069,
    0.323733,
    1.065997,
    0.154736,
    0.129372,
    -0.811164,
    1.882633,
    -1.233287,
    -1.003071,
    0.041264,
    0.984605,
    0.413402,
    0.017803,
    0.985675,
    0.702156,
    -0.485693,
    0.234352,
    0.835336,
    -0.639424,
    0.483863,
    0.092849,
    0.103090,
    0.418756,
    0.524965,
    -0.378826,
    0.267847,
    3.005715,
    -0.108003,
    -2.207575,
    -0.686383,
    -0.159017,
    -0.852576,
    -0.653264,
    -1.255475,
    -1.538142,
    -1.634114,
];

/// Smoothed article probability that counts towards the main run.
pub(super) const THRESHOLD: f32 = 0.30;

/// How much lower the keep bar is inside the main run.
pub(super) const INSIDE_MARGIN: f32 = 0.00;

/// The keep bar outside the main run.
pub(super) const OUTSIDE_BAR: f32 = 0.50;

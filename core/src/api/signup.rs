//! signup operations (being written).

use super::catalog::Operation;

/// Every operation of this family.
pub const OPERATIONS: &[&Operation] = &[];

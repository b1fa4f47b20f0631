//! The in-repo `uniffi-bindgen-swift`: Swift sources, the C header and the
//! module map laid out for SwiftPM.
fn main() {
    uniffi::uniffi_bindgen_swift()
}

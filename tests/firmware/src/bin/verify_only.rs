//! The webhook verification path alone, for the footprint report: header
//! parsing, the freshness check, HMAC-SHA256 and the constant-time compare.
//! No formatting machinery is linked; the result is the semihosting exit
//! status (0 = the valid vector case verified and its tampered twin failed).
#![no_std]
#![no_main]

#[path = "../cases.rs"]
#[allow(dead_code)]
mod cases;

use core::hint::black_box;

use cortex_m_rt::entry;
use cortex_m_semihosting::debug;
use inkbox_core::webhook::{self, VerifyOptions};

fn check(case: &cases::WebhookCase, now: u64) -> bool {
    let headers = [
        ("X-Inkbox-Signature", black_box(case.signature)),
        ("X-Inkbox-Request-ID", black_box(case.request_id)),
        ("X-Inkbox-Timestamp", black_box(case.timestamp)),
    ];
    let secrets = [black_box(case.secret)];
    webhook::verify(headers, black_box(case.body), &secrets, black_box(now), &VerifyOptions::strict()).is_ok()
}

#[entry]
fn main() -> ! {
    let now = cases::VALID.timestamp.parse::<u64>().unwrap_or(0) + 10;
    let ok = check(&cases::VALID, now) && !check(&cases::TAMPERED, now);
    debug::exit(if ok { debug::EXIT_SUCCESS } else { debug::EXIT_FAILURE });
    loop {
        cortex_m::asm::wfi();
    }
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    debug::exit(debug::EXIT_FAILURE);
    loop {
        cortex_m::asm::wfi();
    }
}

//! RFC 6455 frames, sans-IO: what the tunnel data plane's bridged streams
//! carry (spec/tunnels.md "Data plane"). A passthrough `tcp-stream` moves raw
//! TLS bytes as BINARY frames; a bridged WebSocket moves length-prefixed JSON
//! envelopes as BINARY frames.
//!
//! [`encode`] builds one frame (masked when a key is given — the caller draws
//! the key from its own RNG); [`Decoder`] is incremental: feed it whatever bytes
//! arrived and pull complete frames out. Decoding checks the protocol rules a
//! peer can break (reserved bits, reserved opcodes, fragmented or oversized
//! control frames, non-minimal 64-bit lengths with the top bit set) and a
//! payload size limit, so a hostile peer cannot make the buffer grow without
//! bound. Fragment reassembly is left to the caller; [`Frame::fin`] and
//! [`Opcode::Continuation`] say what it needs to know.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

/// The largest payload a control frame (CLOSE, PING, PONG) may carry.
pub const MAX_CONTROL_PAYLOAD: usize = 125;
/// Payload limit a [`Decoder`] uses unless told otherwise (16 MiB).
pub const DEFAULT_MAX_PAYLOAD: usize = 16 * 1024 * 1024;
/// The longest frame header: 2 bytes, 8 of extended length, 4 of mask key.
pub const MAX_HEADER_LEN: usize = 14;

/// A frame's opcode (RFC 6455 §5.2). Reserved opcodes are decode errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Opcode {
    /// 0x0: continues a fragmented TEXT or BINARY message.
    Continuation,
    /// 0x1: UTF-8 text.
    Text,
    /// 0x2: binary data.
    Binary,
    /// 0x8: close; payload empty or a u16 code plus UTF-8 reason.
    Close,
    /// 0x9: ping; answered with a PONG carrying the same payload.
    Ping,
    /// 0xA: pong.
    Pong,
}

impl Opcode {
    /// The 4-bit wire value.
    #[must_use]
    pub const fn as_u8(self) -> u8 {
        match self {
            Self::Continuation => 0x0,
            Self::Text => 0x1,
            Self::Binary => 0x2,
            Self::Close => 0x8,
            Self::Ping => 0x9,
            Self::Pong => 0xA,
        }
    }

    /// The opcode for a wire value; `None` for the reserved ones.
    #[must_use]
    pub const fn from_u8(value: u8) -> Option<Self> {
        match value {
            0x0 => Some(Self::Continuation),
            0x1 => Some(Self::Text),
            0x2 => Some(Self::Binary),
            0x8 => Some(Self::Close),
            0x9 => Some(Self::Ping),
            0xA => Some(Self::Pong),
            _ => None,
        }
    }

    /// CLOSE, PING and PONG.
    #[must_use]
    pub const fn is_control(self) -> bool {
        matches!(self, Self::Close | Self::Ping | Self::Pong)
    }

    /// Lowercase name: `continuation`, `text`, `binary`, `close`, `ping`, `pong`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Continuation => "continuation",
            Self::Text => "text",
            Self::Binary => "binary",
            Self::Close => "close",
            Self::Ping => "ping",
            Self::Pong => "pong",
        }
    }

    /// The opcode for a [`Opcode::name`].
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        [Self::Continuation, Self::Text, Self::Binary, Self::Close, Self::Ping, Self::Pong]
            .into_iter()
            .find(|op| op.name() == name)
    }
}

/// One decoded frame; the payload is already unmasked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// The FIN bit: last fragment of its message.
    pub fin: bool,
    /// The opcode.
    pub opcode: Opcode,
    /// Whether the sender masked the payload (clients must, servers must not).
    pub masked: bool,
    /// The payload, unmasked.
    pub payload: Vec<u8>,
}

/// Why bytes are not a valid frame. Every variant is fatal for the stream
/// (RFC 6455 says to fail the connection, close code 1002 or 1009).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameError {
    /// RSV1–3 set although no extension was negotiated.
    ReservedBits,
    /// Opcode 0x3–0x7 or 0xB–0xF.
    ReservedOpcode(u8),
    /// A CLOSE/PING/PONG without FIN.
    FragmentedControl,
    /// A CLOSE/PING/PONG with more than 125 bytes of payload.
    ControlTooLong,
    /// The 64-bit length has its most significant bit set.
    LengthOverflow,
    /// The payload is longer than the decoder's limit.
    TooLarge {
        /// The announced payload length.
        len: u64,
        /// The decoder's limit.
        max: usize,
    },
    /// A frame has to be masked (or unmasked) and is not.
    Masking {
        /// What the decoder requires.
        expected_masked: bool,
    },
    /// A CLOSE payload of exactly one byte, or a reason that is not UTF-8.
    BadClosePayload,
}

impl FrameError {
    /// A stable machine-readable code.
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Self::ReservedBits => "ws_frame_reserved_bits",
            Self::ReservedOpcode(_) => "ws_frame_reserved_opcode",
            Self::FragmentedControl => "ws_frame_fragmented_control",
            Self::ControlTooLong => "ws_frame_control_too_long",
            Self::LengthOverflow => "ws_frame_length_overflow",
            Self::TooLarge { .. } => "ws_frame_too_large",
            Self::Masking { .. } => "ws_frame_masking",
            Self::BadClosePayload => "ws_frame_bad_close_payload",
        }
    }

    /// The close code RFC 6455 suggests for failing the connection: 1009 for
    /// an oversized frame, 1007 for a bad close reason, else 1002.
    #[must_use]
    pub const fn close_code(&self) -> u16 {
        match self {
            Self::TooLarge { .. } => 1009,
            Self::BadClosePayload => 1007,
            _ => 1002,
        }
    }
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ReservedBits => f.write_str("WebSocket frame has reserved bits set"),
            Self::ReservedOpcode(op) => write!(f, "WebSocket frame has reserved opcode {op:#x}"),
            Self::FragmentedControl => f.write_str("WebSocket control frame without FIN"),
            Self::ControlTooLong => f.write_str("WebSocket control frame payload over 125 bytes"),
            Self::LengthOverflow => f.write_str("WebSocket frame length has its top bit set"),
            Self::TooLarge { len, max } => {
                write!(f, "WebSocket frame payload of {len} bytes exceeds the limit of {max}")
            }
            Self::Masking { expected_masked: true } => f.write_str("WebSocket frame is not masked"),
            Self::Masking { expected_masked: false } => f.write_str("WebSocket frame is masked"),
            Self::BadClosePayload => f.write_str("WebSocket close payload is malformed"),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for FrameError {}

/// XOR `data` with the 4-byte mask key, starting at key position 0.
pub fn apply_mask(data: &mut [u8], key: [u8; 4]) {
    for (b, k) in data.iter_mut().zip(key.iter().cycle()) {
        *b ^= k;
    }
}

/// The header bytes of a frame with `payload_len` bytes of payload.
#[must_use]
pub fn encode_header(fin: bool, opcode: Opcode, payload_len: usize, mask: Option<[u8; 4]>) -> Vec<u8> {
    let mut out = Vec::with_capacity(MAX_HEADER_LEN);
    out.push(if fin { 0x80 } else { 0 } | opcode.as_u8());
    let mask_bit = if mask.is_some() { 0x80 } else { 0 };
    if payload_len < 126 {
        // Checked just above: fits in 7 bits.
        #[allow(clippy::cast_possible_truncation)]
        out.push(mask_bit | payload_len as u8);
    } else if let Ok(len16) = u16::try_from(payload_len) {
        out.push(mask_bit | 126);
        out.extend_from_slice(&len16.to_be_bytes());
    } else {
        out.push(mask_bit | 127);
        out.extend_from_slice(&(payload_len as u64).to_be_bytes());
    }
    if let Some(key) = mask {
        out.extend_from_slice(&key);
    }
    out
}

/// One whole frame: header plus payload, masked with `mask` when given.
///
/// Encoding does not enforce the control-frame rules; [`encode_checked`] does.
#[must_use]
pub fn encode(fin: bool, opcode: Opcode, payload: &[u8], mask: Option<[u8; 4]>) -> Vec<u8> {
    let mut out = encode_header(fin, opcode, payload.len(), mask);
    if let Some(key) = mask {
        let mut masked = payload.to_vec();
        apply_mask(&mut masked, key);
        out.extend_from_slice(&masked);
    } else {
        out.extend_from_slice(payload);
    }
    out
}

/// [`encode`], refusing a control frame without FIN or over 125 bytes.
///
/// # Errors
/// [`FrameError::FragmentedControl`] or [`FrameError::ControlTooLong`].
pub fn encode_checked(fin: bool, opcode: Opcode, payload: &[u8], mask: Option<[u8; 4]>) -> Result<Vec<u8>, FrameError> {
    if opcode.is_control() {
        if !fin {
            return Err(FrameError::FragmentedControl);
        }
        if payload.len() > MAX_CONTROL_PAYLOAD {
            return Err(FrameError::ControlTooLong);
        }
    }
    Ok(encode(fin, opcode, payload, mask))
}

/// A CLOSE payload: the code (big-endian) and the reason, the reason cut at a
/// character boundary so the payload stays within 125 bytes. `None` → empty.
#[must_use]
pub fn close_payload(code: Option<u16>, reason: &str) -> Vec<u8> {
    let Some(code) = code else {
        return Vec::new();
    };
    let mut end = reason.len().min(MAX_CONTROL_PAYLOAD - 2);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    let mut out = Vec::with_capacity(2 + end);
    out.extend_from_slice(&code.to_be_bytes());
    out.extend_from_slice(reason.as_bytes().get(..end).unwrap_or_default());
    out
}

/// Split a CLOSE payload into its code and reason; empty → `(None, "")`.
///
/// # Errors
/// [`FrameError::BadClosePayload`] for a 1-byte payload or a non-UTF-8 reason.
pub fn parse_close(payload: &[u8]) -> Result<(Option<u16>, String), FrameError> {
    match payload {
        [] => Ok((None, String::new())),
        [_] => Err(FrameError::BadClosePayload),
        [hi, lo, rest @ ..] => {
            let reason = core::str::from_utf8(rest).map_err(|_| FrameError::BadClosePayload)?;
            Ok((Some(u16::from_be_bytes([*hi, *lo])), String::from(reason)))
        }
    }
}

/// What a [`Decoder`] requires of the mask bit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MaskRule {
    /// Accept masked and unmasked frames (what the tunnel bridges allow).
    #[default]
    Any,
    /// Every frame must be masked (a server reading a client).
    Required,
    /// No frame may be masked (a client reading a server).
    Forbidden,
}

/// Parse one frame from the start of `buf`.
///
/// `Ok(None)` means more bytes are needed; `Ok(Some((frame, used)))` consumed
/// `used` bytes. The limit is checked as soon as the header is complete, so a
/// frame announcing too much payload fails before its payload arrives.
///
/// # Errors
/// Any [`FrameError`]; the stream cannot continue after one.
pub fn decode(buf: &[u8], max_payload: usize, rule: MaskRule) -> Result<Option<(Frame, usize)>, FrameError> {
    let Some(head) = parse_header(buf, max_payload, rule)? else {
        return Ok(None);
    };
    let total = head.header_len + head.payload_len;
    let Some(body) = buf.get(head.header_len..total) else {
        return Ok(None);
    };
    let mut payload = body.to_vec();
    if let Some(key) = head.mask {
        apply_mask(&mut payload, key);
    }
    if head.opcode == Opcode::Close {
        parse_close(&payload)?;
    }
    let frame = Frame { fin: head.fin, opcode: head.opcode, masked: head.mask.is_some(), payload };
    Ok(Some((frame, total)))
}

struct Header {
    fin: bool,
    opcode: Opcode,
    mask: Option<[u8; 4]>,
    header_len: usize,
    payload_len: usize,
}

fn parse_header(buf: &[u8], max_payload: usize, rule: MaskRule) -> Result<Option<Header>, FrameError> {
    let [b0, b1, ..] = *buf else {
        return Ok(None);
    };
    if b0 & 0x70 != 0 {
        return Err(FrameError::ReservedBits);
    }
    let raw_op = b0 & 0x0F;
    let opcode = Opcode::from_u8(raw_op).ok_or(FrameError::ReservedOpcode(raw_op))?;
    let fin = b0 & 0x80 != 0;
    let masked = b1 & 0x80 != 0;
    match rule {
        MaskRule::Required if !masked => return Err(FrameError::Masking { expected_masked: true }),
        MaskRule::Forbidden if masked => return Err(FrameError::Masking { expected_masked: false }),
        _ => {}
    }
    if opcode.is_control() && !fin {
        return Err(FrameError::FragmentedControl);
    }
    let (len, mut pos): (u64, usize) = match b1 & 0x7F {
        126 => {
            let Some(&[hi, lo]) = buf.get(2..4) else {
                return Ok(None);
            };
            (u64::from(u16::from_be_bytes([hi, lo])), 4)
        }
        127 => {
            let Some(arr) = buf.get(2..10).and_then(|b| <[u8; 8]>::try_from(b).ok()) else {
                return Ok(None);
            };
            let len = u64::from_be_bytes(arr);
            if len >> 63 != 0 {
                return Err(FrameError::LengthOverflow);
            }
            (len, 10)
        }
        short => (u64::from(short), 2),
    };
    if opcode.is_control() && len > MAX_CONTROL_PAYLOAD as u64 {
        return Err(FrameError::ControlTooLong);
    }
    let payload_len = match usize::try_from(len) {
        Ok(n) if n <= max_payload => n,
        _ => return Err(FrameError::TooLarge { len, max: max_payload }),
    };
    let mask = if masked {
        let Some(key) = buf.get(pos..pos + 4).and_then(|b| <[u8; 4]>::try_from(b).ok()) else {
            return Ok(None);
        };
        pos += 4;
        Some(key)
    } else {
        None
    };
    Ok(Some(Header { fin, opcode, mask, header_len: pos, payload_len }))
}

/// Incremental decoder: [`Decoder::feed`] bytes as they arrive, then call
/// [`Decoder::next_frame`] until it returns `Ok(None)`.
///
/// The buffer holds at most one frame's header plus payload beyond what was
/// fed in one call, so its size is bounded by the payload limit plus the
/// caller's read size. After an error the decoder stays failed.
#[derive(Debug, Clone)]
pub struct Decoder {
    buf: Vec<u8>,
    max_payload: usize,
    rule: MaskRule,
    failed: Option<FrameError>,
}

impl Default for Decoder {
    fn default() -> Self {
        Self::new(DEFAULT_MAX_PAYLOAD, MaskRule::Any)
    }
}

impl Decoder {
    /// A decoder with a payload limit and a masking rule.
    #[must_use]
    pub const fn new(max_payload: usize, rule: MaskRule) -> Self {
        Self { buf: Vec::new(), max_payload, rule, failed: None }
    }

    /// Append received bytes.
    pub fn feed(&mut self, data: &[u8]) {
        if self.failed.is_none() {
            self.buf.extend_from_slice(data);
        }
    }

    /// The next complete frame, if the buffer holds one.
    ///
    /// # Errors
    /// The first [`FrameError`] met; every later call returns it again.
    pub fn next_frame(&mut self) -> Result<Option<Frame>, FrameError> {
        if let Some(err) = self.failed {
            return Err(err);
        }
        match decode(&self.buf, self.max_payload, self.rule) {
            Ok(Some((frame, used))) => {
                self.buf.drain(..used);
                Ok(Some(frame))
            }
            Ok(None) => Ok(None),
            Err(err) => {
                self.failed = Some(err);
                self.buf = Vec::new();
                Err(err)
            }
        }
    }

    /// Bytes fed but not yet returned as frames.
    #[must_use]
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;
    use alloc::vec;

    #[test]
    fn rfc_examples() {
        // RFC 6455 §5.7.
        assert_eq!(encode(true, Opcode::Text, b"Hello", None), [0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]);
        let masked = encode(true, Opcode::Text, b"Hello", Some([0x37, 0xfa, 0x21, 0x3d]));
        assert_eq!(masked, [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]);
        let (frame, used) = decode(&masked, 100, MaskRule::Required).unwrap().unwrap();
        assert_eq!(used, masked.len());
        assert_eq!(frame.payload, b"Hello");
        assert!(frame.fin && frame.masked);
        assert_eq!(frame.opcode, Opcode::Text);
        // Fragmented "Hel" + "lo".
        let (f1, _) = decode(&[0x01, 0x03, 0x48, 0x65, 0x6c], 100, MaskRule::Any).unwrap().unwrap();
        assert!(!f1.fin);
        assert_eq!(f1.opcode, Opcode::Text);
        let (f2, _) = decode(&[0x80, 0x02, 0x6c, 0x6f], 100, MaskRule::Any).unwrap().unwrap();
        assert_eq!(f2.opcode, Opcode::Continuation);
        // 256 bytes binary: 16-bit length; 65536: 64-bit length.
        let big = encode(true, Opcode::Binary, &[0u8; 256], None);
        assert_eq!(&big[..4], &[0x82, 0x7E, 0x01, 0x00]);
        let huge = encode(true, Opcode::Binary, &vec![7u8; 65536], None);
        assert_eq!(&huge[..10], &[0x82, 0x7F, 0, 0, 0, 0, 0, 1, 0, 0]);
        let (f, _) = decode(&huge, 1 << 20, MaskRule::Forbidden).unwrap().unwrap();
        assert_eq!(f.payload.len(), 65536);
    }

    #[test]
    fn length_boundaries_round_trip() {
        for len in [0usize, 1, 125, 126, 127, 65535, 65536, 70000] {
            let payload: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            for mask in [None, Some([1, 2, 3, 4])] {
                let bytes = encode(true, Opcode::Binary, &payload, mask);
                let (f, used) = decode(&bytes, 1 << 20, MaskRule::Any).unwrap().unwrap();
                assert_eq!(used, bytes.len());
                assert_eq!(f.payload, payload);
                assert_eq!(f.masked, mask.is_some());
            }
        }
    }

    #[test]
    fn incremental_byte_by_byte() {
        let mut stream = encode(true, Opcode::Binary, b"abc", Some([9, 8, 7, 6]));
        stream.extend(encode(true, Opcode::Ping, b"p", None));
        stream.extend(encode(true, Opcode::Binary, &[5u8; 300], None));
        let mut dec = Decoder::default();
        let mut frames = Vec::new();
        for b in &stream {
            dec.feed(core::slice::from_ref(b));
            while let Some(f) = dec.next_frame().unwrap() {
                frames.push(f);
            }
        }
        assert_eq!(frames.len(), 3);
        assert_eq!(frames[0].payload, b"abc");
        assert_eq!(frames[1].opcode, Opcode::Ping);
        assert_eq!(frames[2].payload.len(), 300);
        assert_eq!(dec.buffered(), 0);
    }

    #[test]
    fn protocol_errors() {
        assert_eq!(decode(&[0xC2, 0x00], 10, MaskRule::Any), Err(FrameError::ReservedBits));
        assert_eq!(decode(&[0x83, 0x00], 10, MaskRule::Any), Err(FrameError::ReservedOpcode(3)));
        assert_eq!(decode(&[0x09, 0x00], 10, MaskRule::Any), Err(FrameError::FragmentedControl));
        assert_eq!(decode(&[0x89, 126, 0, 200], 1000, MaskRule::Any), Err(FrameError::ControlTooLong));
        assert_eq!(decode(&[0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 0], 10, MaskRule::Any), Err(FrameError::LengthOverflow));
        // Limit checked from the header alone.
        assert_eq!(
            decode(&[0x82, 126, 0x01, 0x00], 255, MaskRule::Any),
            Err(FrameError::TooLarge { len: 256, max: 255 })
        );
        assert_eq!(decode(&[0x82, 0x00], 10, MaskRule::Required), Err(FrameError::Masking { expected_masked: true }));
        assert_eq!(
            decode(&[0x82, 0x80, 0, 0, 0, 0], 10, MaskRule::Forbidden),
            Err(FrameError::Masking { expected_masked: false })
        );
        assert_eq!(decode(&[0x88, 0x01, 0x03], 10, MaskRule::Any), Err(FrameError::BadClosePayload));
        assert_eq!(FrameError::TooLarge { len: 1, max: 0 }.close_code(), 1009);
        let mut dec = Decoder::new(4, MaskRule::Any);
        dec.feed(&[0x82, 0x05]);
        assert!(dec.next_frame().is_err());
        dec.feed(&[0x82, 0x00]);
        assert!(dec.next_frame().is_err(), "stays failed");
    }

    #[test]
    fn partial_headers_need_more() {
        let full = encode(true, Opcode::Binary, &[1u8; 70000], Some([1, 1, 1, 1]));
        for cut in [0, 1, 2, 5, 9, 10, 13, 14, 100] {
            assert_eq!(decode(&full[..cut], 1 << 20, MaskRule::Any), Ok(None));
        }
    }

    #[test]
    fn close_payloads() {
        assert_eq!(close_payload(None, "x"), b"");
        assert_eq!(close_payload(Some(1000), "bye"), [0x03, 0xE8, b'b', b'y', b'e']);
        let long = "é".repeat(100);
        let p = close_payload(Some(1001), &long);
        assert!(p.len() <= 125);
        let (code, reason) = parse_close(&p).unwrap();
        assert_eq!(code, Some(1001));
        assert!(long.starts_with(&reason));
        assert_eq!(parse_close(&[]).unwrap(), (None, String::new()));
        assert_eq!(parse_close(&[0x03, 0xE8, 0xFF]), Err(FrameError::BadClosePayload));
        assert!(encode_checked(true, Opcode::Close, &[0u8; 126], None).is_err());
        assert!(encode_checked(false, Opcode::Ping, b"", None).is_err());
        assert!(encode_checked(false, Opcode::Binary, b"", None).is_ok());
    }

    #[test]
    fn opcode_names() {
        for v in 0..16u8 {
            if let Some(op) = Opcode::from_u8(v) {
                assert_eq!(op.as_u8(), v);
                assert_eq!(Opcode::from_name(op.name()), Some(op));
            }
        }
        assert_eq!(Opcode::from_name("nope"), None);
    }
}

//! Bytes to UTF-8 text, in chunks. The encoding comes from a byte-order mark when there is
//! one (Ahrefs writes UTF-16LE with its mark), else from the first bytes: NULs between ASCII
//! letters are UTF-16 without a mark, valid UTF-8 is UTF-8, other text is Windows-1252 (what
//! Excel's plain "CSV" is on Windows), and control bytes mean it is no text at all.

use super::ExportError;
use encoding_rs::{Decoder, Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252};
use std::io::{self, Read};

const CHUNK: usize = 64 * 1024;
/// What is looked at to tell the encoding.
const SNIFF: usize = 8 * 1024;

/// Reads UTF-8 out of `inner`, failing with `TooLarge` past `max_bytes` of input.
pub(super) struct TextReader<R> {
    inner: R,
    /// `None` passes UTF-8 through (after its mark); invalid bytes then fail the row they are in.
    decoder: Option<Decoder>,
    raw: Vec<u8>,
    raw_at: usize,
    out: Vec<u8>,
    out_at: usize,
    eof: bool,
    /// The decoder has been flushed at the end of the input.
    finished: bool,
    read: u64,
    max_bytes: u64,
}

impl<R: Read> TextReader<R> {
    pub(super) fn new(mut inner: R, max_bytes: u64) -> Result<Self, ExportError> {
        let mut raw = vec![0; CHUNK];
        let mut filled = 0;
        while filled < SNIFF {
            match inner.read(&mut raw[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(ExportError::Read(e.to_string())),
            }
        }
        raw.truncate(filled);
        if raw.is_empty() {
            return Err(ExportError::Empty);
        }
        let (encoding, mark) = sniff(&raw[..filled.min(SNIFF)])?;
        let reader = Self {
            inner,
            decoder: (encoding != UTF_8).then(|| encoding.new_decoder_without_bom_handling()),
            raw,
            raw_at: mark,
            out: Vec::with_capacity(CHUNK * 2),
            out_at: 0,
            eof: false,
            finished: false,
            read: filled as u64,
            max_bytes,
        };
        reader
            .check_size()
            .map_err(|_| ExportError::TooLarge { limit: max_bytes })?;
        Ok(reader)
    }

    fn check_size(&self) -> io::Result<()> {
        if self.read > self.max_bytes {
            return Err(io::Error::other(TooLarge));
        }
        Ok(())
    }

    /// More raw bytes into `raw[raw_at..]`; false at the end of the input.
    fn fill_raw(&mut self) -> io::Result<bool> {
        if self.raw_at < self.raw.len() {
            return Ok(true);
        }
        if self.eof {
            return Ok(false);
        }
        self.raw.resize(CHUNK, 0);
        let n = loop {
            match self.inner.read(&mut self.raw) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                other => break other?,
            }
        };
        self.raw.truncate(n);
        self.raw_at = 0;
        self.read += n as u64;
        self.check_size()?;
        self.eof = n == 0;
        Ok(n > 0)
    }
}

impl<R: Read> TextReader<R> {
    fn pass_through(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if !self.fill_raw()? {
            return Ok(0);
        }
        let n = buf.len().min(self.raw.len() - self.raw_at);
        buf[..n].copy_from_slice(&self.raw[self.raw_at..self.raw_at + n]);
        self.raw_at += n;
        Ok(n)
    }

    /// Decodes every pending raw byte into `out`; at the end of the input, flushes.
    fn decode_chunk(&mut self) -> io::Result<()> {
        let more = self.fill_raw()?;
        let Some(decoder) = self.decoder.as_mut() else {
            return Ok(());
        };
        let pending = self.raw.len() - self.raw_at;
        let room = decoder.max_utf8_buffer_length(pending).unwrap_or(CHUNK * 4);
        self.out.resize(room, 0);
        let (_, read, written, _) =
            decoder.decode_to_utf8(&self.raw[self.raw_at..], &mut self.out, !more);
        self.raw_at += read;
        self.out.truncate(written);
        self.out_at = 0;
        self.finished = !more;
        Ok(())
    }
}

impl<R: Read> Read for TextReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.decoder.is_none() {
            return self.pass_through(buf);
        }
        while self.out_at == self.out.len() {
            if self.finished {
                return Ok(0);
            }
            self.decode_chunk()?;
        }
        let n = buf.len().min(self.out.len() - self.out_at);
        buf[..n].copy_from_slice(&self.out[self.out_at..self.out_at + n]);
        self.out_at += n;
        Ok(n)
    }
}

/// The io error that stands for `ExportError::TooLarge` on its way through the CSV reader.
#[derive(Debug)]
pub(super) struct TooLarge;

impl std::fmt::Display for TooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the input is over its size limit")
    }
}

impl std::error::Error for TooLarge {}

/// The encoding and the length of its byte-order mark.
fn sniff(head: &[u8]) -> Result<(&'static Encoding, usize), ExportError> {
    if let Some((encoding, mark)) = Encoding::for_bom(head) {
        return Ok((encoding, mark));
    }
    if head.contains(&0) {
        // ASCII text in UTF-16 has a NUL in every other byte: after the letter in LE.
        let pairs = head.len() / 2;
        let odd = head.iter().skip(1).step_by(2).filter(|&&b| b == 0).count();
        let even = head.iter().step_by(2).filter(|&&b| b == 0).count();
        return match (odd * 10 >= pairs * 9, even * 10 >= pairs * 9) {
            (true, false) => Ok((UTF_16LE, 0)),
            (false, true) => Ok((UTF_16BE, 0)),
            _ => Err(ExportError::NotText),
        };
    }
    if head
        .iter()
        .any(|&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C))
    {
        return Err(ExportError::NotText);
    }
    match std::str::from_utf8(head) {
        Ok(_) => Ok((UTF_8, 0)),
        // A sequence cut by the end of the sniffed bytes is still UTF-8.
        Err(e) if e.error_len().is_none() => Ok((UTF_8, 0)),
        Err(_) => Ok((WINDOWS_1252, 0)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(bytes: &[u8]) -> Result<String, ExportError> {
        let mut reader = TextReader::new(bytes, 1 << 24)?;
        let mut out = String::new();
        reader
            .read_to_string(&mut out)
            .map_err(|e| ExportError::Read(e.to_string()))?;
        Ok(out)
    }

    fn utf16(text: &str, le: bool, mark: bool) -> Vec<u8> {
        let mut bytes = Vec::new();
        if mark {
            bytes.extend(if le { [0xFF, 0xFE] } else { [0xFE, 0xFF] });
        }
        for unit in text.encode_utf16() {
            bytes.extend(if le {
                unit.to_le_bytes()
            } else {
                unit.to_be_bytes()
            });
        }
        bytes
    }

    #[test]
    fn every_encoding_comes_out_as_utf8_without_its_mark() {
        let sample = "Anchor\tURL\r\nCafé ☕ 𝄞\thttps://a.example/\r\n";
        assert_eq!(text(sample.as_bytes()).unwrap(), sample);
        assert_eq!(
            text(&[b"\xEF\xBB\xBF", sample.as_bytes()].concat()).unwrap(),
            sample
        );
        for (le, mark) in [(true, true), (false, true), (true, false), (false, false)] {
            assert_eq!(
                text(&utf16(sample, le, mark)).unwrap(),
                sample,
                "{le} {mark}"
            );
        }
        assert_eq!(
            text(b"caf\xe9,\x93quoted\x94\n").unwrap(),
            "café,“quoted”\n"
        );
    }

    #[test]
    fn long_utf16_input_is_decoded_across_chunk_boundaries() {
        let line = "https://example.com/ünïcödé/𝄞\t42\n";
        let sample = line.repeat(20_000);
        assert_eq!(text(&utf16(&sample, true, true)).unwrap(), sample);
    }

    #[test]
    fn binary_empty_and_oversized_inputs_are_refused() {
        assert_eq!(
            text(b"PK\x03\x04\x14\x00\x06\x00"),
            Err(ExportError::NotText)
        );
        assert_eq!(
            text(b"\x00\x01\x02\x03\x00\x00\x00\x00"),
            Err(ExportError::NotText)
        );
        assert_eq!(text(b""), Err(ExportError::Empty));
        let big = vec![b'a'; 3 * CHUNK];
        assert!(matches!(
            TextReader::new(&big[..], 1000),
            Err(ExportError::TooLarge { limit: 1000 })
        ));
        let mut reader = TextReader::new(&big[..], 2 * CHUNK as u64).unwrap();
        let error = reader.read_to_end(&mut Vec::new()).unwrap_err();
        assert!(error.get_ref().is_some_and(|e| e.is::<TooLarge>()));
    }
}

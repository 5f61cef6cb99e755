//! Checks and cleans uploaded files as pure functions: the type is read from the content (never the
//! name), photos lose their metadata (EXIF holds where a photo was taken: whereabouts are sensitive
//! data) while keeping their orientation, and images get a small JPEG thumbnail.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageReader, metadata::Orientation};

/// The largest file accepted.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;
/// The longest side of a thumbnail, in pixels.
pub const THUMB_SIDE: u32 = 320;
/// Images larger than this in either side are refused (decompression bombs).
const MAX_SIDE: u32 = 12_000;

/// The kinds of file cedu accepts (SECURITY.md: jpg, png, pdf, xlsx).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileType {
    Jpeg,
    Png,
    Pdf,
    Xlsx,
}

impl FileType {
    /// The MIME type served with the file.
    pub fn mime(self) -> &'static str {
        match self {
            FileType::Jpeg => "image/jpeg",
            FileType::Png => "image/png",
            FileType::Pdf => "application/pdf",
            FileType::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }

    /// The file name extension.
    pub fn extension(self) -> &'static str {
        match self {
            FileType::Jpeg => "jpg",
            FileType::Png => "png",
            FileType::Pdf => "pdf",
            FileType::Xlsx => "xlsx",
        }
    }

    /// True for photos.
    pub fn is_image(self) -> bool {
        matches!(self, FileType::Jpeg | FileType::Png)
    }
}

/// Reads the type from the first bytes (and, for a zip, its entries).
pub fn sniff(bytes: &[u8]) -> Option<FileType> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(FileType::Jpeg)
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some(FileType::Png)
    } else if bytes.starts_with(b"%PDF-") {
        Some(FileType::Pdf)
    } else if bytes.starts_with(b"PK\x03\x04") {
        let zip = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
        let names: Vec<String> = zip
            .file_names()
            .filter_map(|n| n.ok().map(|n| n.into_owned()))
            .collect();
        (names.iter().any(|n| n == "[Content_Types].xml")
            && names.iter().any(|n| n.starts_with("xl/")))
        .then_some(FileType::Xlsx)
    } else {
        None
    }
}

/// Why a file cannot be taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileError {
    /// Not one of the accepted types.
    Type,
    /// An image that cannot be decoded (damaged, or too large to open safely).
    Damaged,
}

/// A cleaned file ready to store.
#[derive(Clone, Debug)]
pub struct Cleaned {
    pub file_type: FileType,
    pub body: Vec<u8>,
    pub thumbnail: Option<Vec<u8>>,
}

/// Checks a file against the types `allowed` and cleans it.
pub fn clean(bytes: &[u8], allowed: &[FileType]) -> Result<Cleaned, FileError> {
    let t = sniff(bytes)
        .filter(|t| allowed.contains(t))
        .ok_or(FileError::Type)?;
    if !t.is_image() {
        return Ok(Cleaned {
            file_type: t,
            body: bytes.to_vec(),
            thumbnail: None,
        });
    }
    let (image, orientation) = decode(bytes, t).ok_or(FileError::Damaged)?;
    let body = if orientation == Orientation::NoTransforms {
        match t {
            FileType::Jpeg => strip_jpeg(bytes).ok_or(FileError::Damaged)?,
            _ => strip_png(bytes).ok_or(FileError::Damaged)?,
        }
    } else {
        // The orientation lives in the EXIF block being removed: turn the pixels instead.
        let mut upright = image.clone();
        upright.apply_orientation(orientation);
        encode_jpeg(&upright, 90).ok_or(FileError::Damaged)?
    };
    // A picture already small enough is its own thumbnail (never enlarged).
    let mut thumb = if image.width() <= THUMB_SIDE && image.height() <= THUMB_SIDE {
        image
    } else {
        image.thumbnail(THUMB_SIDE, THUMB_SIDE)
    };
    thumb.apply_orientation(orientation);
    Ok(Cleaned {
        file_type: if orientation == Orientation::NoTransforms {
            t
        } else {
            FileType::Jpeg
        },
        body,
        thumbnail: Some(encode_jpeg(&thumb, 80).ok_or(FileError::Damaged)?),
    })
}

fn decode(bytes: &[u8], t: FileType) -> Option<(DynamicImage, Orientation)> {
    let format = match t {
        FileType::Jpeg => image::ImageFormat::Jpeg,
        _ => image::ImageFormat::Png,
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(512 * 1024 * 1024);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().ok()?;
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let image = DynamicImage::from_decoder(decoder).ok()?;
    Some((image, orientation))
}

fn encode_jpeg(image: &DynamicImage, quality: u8) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let rgb = image.to_rgb8();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(&rgb)
        .ok()?;
    Some(out)
}

/// Removes the application segments that carry metadata (APP1 EXIF/XMP, APP2–APP15 such as IPTC and
/// maker notes, comments) and keeps the picture data byte for byte. APP0 (JFIF) and APP14 (Adobe
/// colour transform) stay: decoders need them.
pub fn strip_jpeg(bytes: &[u8]) -> Option<Vec<u8>> {
    if !bytes.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(&bytes[..2]);
    let mut i = 2;
    loop {
        if i + 4 > bytes.len() || bytes[i] != 0xFF {
            return None;
        }
        let marker = bytes[i + 1];
        if marker == 0xFF {
            // Fill byte.
            i += 1;
            continue;
        }
        let len = usize::from(u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]));
        let end = i + 2 + len;
        if len < 2 || end > bytes.len() {
            return None;
        }
        let metadata = matches!(marker, 0xE1..=0xED | 0xEF | 0xFE);
        if !metadata {
            out.extend_from_slice(&bytes[i..end]);
        }
        i = end;
        if marker == 0xDA {
            // Start of scan: the rest is picture data up to the end marker.
            out.extend_from_slice(&bytes[i..]);
            return Some(out);
        }
    }
}

/// Removes the PNG chunks that carry text, EXIF and time stamps.
pub fn strip_png(bytes: &[u8]) -> Option<Vec<u8>> {
    const SIGNATURE: usize = 8;
    if !bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(&bytes[..SIGNATURE]);
    let mut i = SIGNATURE;
    while i < bytes.len() {
        if i + 12 > bytes.len() {
            return None;
        }
        let len = u32::from_be_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]) as usize;
        let kind = &bytes[i + 4..i + 8];
        let end = i.checked_add(12)?.checked_add(len)?;
        if end > bytes.len() {
            return None;
        }
        if !matches!(kind, b"eXIf" | b"tEXt" | b"zTXt" | b"iTXt" | b"tIME") {
            out.extend_from_slice(&bytes[i..end]);
        }
        i = end;
        if kind == b"IEND" {
            break;
        }
    }
    Some(out)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A small JPEG with an EXIF block holding a GPS-like text and the given orientation.
    pub fn jpeg_with_exif(orientation: u16) -> Vec<u8> {
        let img = DynamicImage::new_rgb8(40, 20);
        let plain = encode_jpeg(&img, 80).unwrap();
        // A minimal big-endian TIFF with one IFD entry: Orientation (0x0112), SHORT, 1 value.
        let mut tiff =
            b"MM\x00\x2a\x00\x00\x00\x08\x00\x01\x01\x12\x00\x03\x00\x00\x00\x01".to_vec();
        tiff.extend_from_slice(&orientation.to_be_bytes());
        tiff.extend_from_slice(&[0, 0, 0, 0, 0, 0]);
        tiff.extend_from_slice(b"GPS 31.2304N 121.4737E");
        let mut app1 = b"Exif\x00\x00".to_vec();
        app1.extend_from_slice(&tiff);
        let len = (app1.len() + 2) as u16;
        let mut out = plain[..2].to_vec();
        out.extend_from_slice(&[0xFF, 0xE1]);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(&app1);
        out.extend_from_slice(&plain[2..]);
        out
    }

    fn contains(hay: &[u8], needle: &[u8]) -> bool {
        hay.windows(needle.len()).any(|w| w == needle)
    }

    #[test]
    fn types_are_read_from_the_content() {
        assert_eq!(sniff(&jpeg_with_exif(1)), Some(FileType::Jpeg));
        assert_eq!(sniff(b"%PDF-1.7\n..."), Some(FileType::Pdf));
        assert_eq!(sniff(b"MZ\x90\x00 a program"), None);
        assert_eq!(sniff(b"<html>"), None);
        assert_eq!(
            clean(b"%PDF-1.4", &[FileType::Jpeg, FileType::Png]).unwrap_err(),
            FileError::Type
        );
    }

    #[test]
    fn exif_is_removed_and_the_picture_kept() {
        let photo = jpeg_with_exif(1);
        assert!(contains(&photo, b"GPS 31.2304N"));
        let c = clean(&photo, &[FileType::Jpeg]).unwrap();
        assert!(!contains(&c.body, b"Exif"));
        assert!(!contains(&c.body, b"GPS 31.2304N"));
        let back = image::load_from_memory(&c.body).unwrap();
        assert_eq!((back.width(), back.height()), (40, 20));
        let thumb = image::load_from_memory(c.thumbnail.as_ref().unwrap()).unwrap();
        assert!(thumb.width() <= THUMB_SIDE && thumb.height() <= THUMB_SIDE);
    }

    #[test]
    fn a_turned_phone_photo_stays_upright_without_its_exif() {
        // Orientation 6: the camera was turned; the picture must be shown rotated 90°.
        let c = clean(&jpeg_with_exif(6), &[FileType::Jpeg]).unwrap();
        assert!(!contains(&c.body, b"GPS 31.2304N"));
        let back = image::load_from_memory(&c.body).unwrap();
        assert_eq!((back.width(), back.height()), (20, 40));
    }

    #[test]
    fn damaged_images_are_refused() {
        let mut photo = jpeg_with_exif(1);
        photo.truncate(40);
        assert_eq!(
            clean(&photo, &[FileType::Jpeg]).unwrap_err(),
            FileError::Damaged
        );
    }

    #[test]
    fn png_text_chunks_are_removed() {
        let img = DynamicImage::new_rgb8(8, 8);
        let mut png = Vec::new();
        img.write_to(&mut Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        // Insert a tEXt chunk after IHDR (8 + 25 bytes).
        let data = b"Location\x00Qunli village 3";
        let mut chunk = (data.len() as u32).to_be_bytes().to_vec();
        chunk.extend_from_slice(b"tEXt");
        chunk.extend_from_slice(data);
        chunk.extend_from_slice(&[0, 0, 0, 0]);
        let mut with_text = png[..33].to_vec();
        with_text.extend_from_slice(&chunk);
        with_text.extend_from_slice(&png[33..]);
        let stripped = strip_png(&with_text).unwrap();
        assert!(!contains(&stripped, b"Qunli village"));
        assert_eq!(stripped, png);
    }
}

//! Word documents (.docx) written from blocks of text: headings, paragraphs, bullet lines and
//! simple tables — an editable draft that opens in Word, WPS and LibreOffice. The document is a
//! zip of WordprocessingML parts; text is escaped, Chinese set in 宋体 with 黑体 headings, A4.

use std::io::Write;

use zip::ZipWriter;
use zip::write::SimpleFileOptions;

use crate::error::{Error, Result};
use crate::text::xml_escape;

/// One block of a document.
#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    /// The document's title, centred.
    Title(String),
    /// A heading of level 1 or 2.
    Heading(u8, String),
    Paragraph(String),
    /// A line of a list, with a leading dot.
    Bullet(String),
    /// A table: its first row is the header.
    Table(Vec<Vec<String>>),
}

/// A document: its blocks in order, and the title kept in its properties.
#[derive(Clone, Debug, Default)]
pub struct Document {
    pub title: String,
    pub blocks: Vec<Block>,
}

impl Document {
    pub fn new(title: impl Into<String>) -> Document {
        let title = title.into();
        Document {
            blocks: vec![Block::Title(title.clone())],
            title,
        }
    }

    pub fn push(&mut self, b: Block) {
        self.blocks.push(b);
    }

    /// The document as the bytes of a .docx file.
    pub fn to_docx(&self) -> Result<Vec<u8>> {
        let mut zip = ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        let parts = [
            ("[Content_Types].xml", CONTENT_TYPES.to_string()),
            ("_rels/.rels", ROOT_RELS.to_string()),
            ("word/_rels/document.xml.rels", DOCUMENT_RELS.to_string()),
            ("word/styles.xml", STYLES.to_string()),
            ("docProps/core.xml", core_properties(&self.title)),
            ("docProps/app.xml", APP_PROPERTIES.to_string()),
            ("word/document.xml", self.document_xml()),
        ];
        for (name, body) in parts {
            zip.start_file(name, opts)
                .map_err(|e| Error::internal_from("docx", e))?;
            zip.write_all(body.as_bytes())
                .map_err(|e| Error::internal_from("docx", e))?;
        }
        let done = zip.finish().map_err(|e| Error::internal_from("docx", e))?;
        Ok(done.into_inner())
    }

    fn document_xml(&self) -> String {
        let mut body = String::new();
        for b in &self.blocks {
            match b {
                Block::Title(t) => body.push_str(&paragraph(Some("Title"), t)),
                Block::Heading(level, t) => {
                    let style = if *level <= 1 { "Heading1" } else { "Heading2" };
                    body.push_str(&paragraph(Some(style), t));
                }
                Block::Paragraph(t) => body.push_str(&paragraph(Some("BodyText"), t)),
                Block::Bullet(t) => body.push_str(&paragraph(Some("ListLine"), &format!("• {t}"))),
                Block::Table(rows) => body.push_str(&table(rows)),
            }
        }
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" \
xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">\
<w:body>{body}<w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/>\
<w:pgMar w:top=\"1440\" w:right=\"1440\" w:bottom=\"1440\" w:left=\"1440\" w:header=\"851\" \
w:footer=\"992\" w:gutter=\"0\"/></w:sectPr></w:body></w:document>"
        )
    }
}

/// A paragraph of a style; each line of the text its own run, joined by line breaks.
fn paragraph(style: Option<&str>, text: &str) -> String {
    let p_pr = style
        .map(|s| format!("<w:pPr><w:pStyle w:val=\"{s}\"/></w:pPr>"))
        .unwrap_or_default();
    let runs = text
        .split('\n')
        .map(|line| format!("<w:t xml:space=\"preserve\">{}</w:t>", xml_escape(line)))
        .collect::<Vec<_>>()
        .join("<w:br/>");
    format!("<w:p>{p_pr}<w:r>{runs}</w:r></w:p>")
}

fn table(rows: &[Vec<String>]) -> String {
    let border = |side: &str| {
        format!("<w:{side} w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>")
    };
    let borders: String = ["top", "left", "bottom", "right", "insideH", "insideV"]
        .iter()
        .map(|s| border(s))
        .collect();
    let mut out = format!(
        "<w:tbl><w:tblPr><w:tblW w:w=\"5000\" w:type=\"pct\"/><w:tblBorders>{borders}</w:tblBorders></w:tblPr>"
    );
    for (i, r) in rows.iter().enumerate() {
        out.push_str("<w:tr>");
        for c in r {
            let bold = if i == 0 { "<w:rPr><w:b/></w:rPr>" } else { "" };
            out.push_str(&format!(
                "<w:tc><w:p><w:r>{bold}<w:t xml:space=\"preserve\">{}</w:t></w:r></w:p></w:tc>",
                xml_escape(c)
            ));
        }
        out.push_str("</w:tr>");
    }
    out.push_str("</w:tbl><w:p/>");
    out
}

fn core_properties(title: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" \
xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title>{}</dc:title><dc:creator>cedu</dc:creator>\
</cp:coreProperties>",
        xml_escape(title)
    )
}

const CONTENT_TYPES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
<Default Extension=\"xml\" ContentType=\"application/xml\"/>\
<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>\
<Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>\
<Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>\
<Override PartName=\"/docProps/app.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.extended-properties+xml\"/>\
</Types>";

const ROOT_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>\
<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>\
<Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties\" Target=\"docProps/app.xml\"/>\
</Relationships>";

const DOCUMENT_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>\
</Relationships>";

const APP_PROPERTIES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\">\
<Application>cedu</Application></Properties>";

const STYLES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<w:styles xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii=\"Times New Roman\" w:hAnsi=\"Times New Roman\" \
w:eastAsia=\"宋体\"/><w:sz w:val=\"24\"/><w:lang w:val=\"en-US\" w:eastAsia=\"zh-CN\"/></w:rPr></w:rPrDefault>\
<w:pPrDefault><w:pPr><w:spacing w:after=\"120\" w:line=\"360\" w:lineRule=\"auto\"/></w:pPr></w:pPrDefault></w:docDefaults>\
<w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/></w:style>\
<w:style w:type=\"paragraph\" w:styleId=\"Title\"><w:name w:val=\"Title\"/><w:basedOn w:val=\"Normal\"/>\
<w:pPr><w:jc w:val=\"center\"/><w:spacing w:after=\"360\"/></w:pPr><w:rPr><w:rFonts w:eastAsia=\"黑体\"/><w:b/><w:sz w:val=\"36\"/></w:rPr></w:style>\
<w:style w:type=\"paragraph\" w:styleId=\"Heading1\"><w:name w:val=\"heading 1\"/><w:basedOn w:val=\"Normal\"/>\
<w:pPr><w:keepNext/><w:spacing w:before=\"240\"/><w:outlineLvl w:val=\"0\"/></w:pPr><w:rPr><w:rFonts w:eastAsia=\"黑体\"/><w:b/><w:sz w:val=\"30\"/></w:rPr></w:style>\
<w:style w:type=\"paragraph\" w:styleId=\"Heading2\"><w:name w:val=\"heading 2\"/><w:basedOn w:val=\"Normal\"/>\
<w:pPr><w:keepNext/><w:outlineLvl w:val=\"1\"/></w:pPr><w:rPr><w:rFonts w:eastAsia=\"楷体\"/><w:b/><w:sz w:val=\"26\"/></w:rPr></w:style>\
<w:style w:type=\"paragraph\" w:styleId=\"BodyText\"><w:name w:val=\"Body Text\"/><w:basedOn w:val=\"Normal\"/>\
<w:pPr><w:ind w:firstLineChars=\"200\" w:firstLine=\"480\"/></w:pPr></w:style>\
<w:style w:type=\"paragraph\" w:styleId=\"ListLine\"><w:name w:val=\"List Line\"/><w:basedOn w:val=\"Normal\"/>\
<w:pPr><w:ind w:left=\"480\"/></w:pPr></w:style>\
</w:styles>";

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn a_document_is_a_zip_of_its_parts_with_the_text_escaped() {
        let mut d = Document::new("群力镇2026年社区教育工作总结");
        d.push(Block::Heading(1, "一、总体情况".into()));
        d.push(Block::Paragraph("参与率 <25%> & 满意率".into()));
        d.push(Block::Table(vec![
            vec!["指标".into(), "完成".into()],
            vec!["参与率".into(), "23.1%".into()],
        ]));
        let bytes = d.to_docx().unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        for part in [
            "[Content_Types].xml",
            "_rels/.rels",
            "word/document.xml",
            "word/styles.xml",
        ] {
            assert!(zip.by_name(part).is_ok(), "{part}");
        }
        let mut xml = String::new();
        zip.by_name("word/document.xml")
            .unwrap()
            .read_to_string(&mut xml)
            .unwrap();
        assert!(xml.contains("参与率 &lt;25%&gt; &amp; 满意率"), "{xml}");
        assert!(xml.contains("<w:tbl>") && xml.contains("23.1%"));
        assert!(xml.contains("一、总体情况"));
    }
}

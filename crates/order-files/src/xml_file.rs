//! XML: `<orders>` of `<order>` elements (`docs/orders-import.xsd`). Every element and
//! attribute is checked against the schema's names, so a typo is reported where it is.

use domain::Problem;

use crate::Problems;
use crate::build::{Cells, RawRow};

/// The namespace of the import schema (optional in files).
pub const NAMESPACE: &str = "urn:allegro-bridge:orders:1";

/// Allowed attributes per element, with the field each one fills.
const ORDER: &[(&str, &str)] = &[
    ("id", "order_id"),
    ("boughtAt", "bought_at"),
    ("currency", "currency"),
    ("status", "status"),
    ("invoiceRequired", "invoice_required"),
];
const BUYER: &[(&str, &str)] = &[
    ("login", "buyer_login"),
    ("email", "buyer_email"),
    ("firstName", "first_name"),
    ("lastName", "last_name"),
    ("companyName", "company_name"),
    ("nip", "nip"),
    ("phone", "phone"),
];
const DELIVERY: &[(&str, &str)] = &[
    ("method", "delivery_method"),
    ("cost", "delivery_cost"),
    ("pickupPoint", "pickup_point"),
];
const ADDRESS: &[(&str, &str)] = &[
    ("street", "street"),
    ("zipCode", "zip_code"),
    ("city", "city"),
    ("countryCode", "country_code"),
];
const LINE: &[(&str, &str)] = &[
    ("offerId", "offer_id"),
    ("sku", "sku"),
    ("name", "offer_name"),
    ("quantity", "quantity"),
    ("unitPrice", "unit_price"),
    ("vatRate", "vat_rate"),
];

struct Reader<'a, 'input> {
    doc: &'a roxmltree::Document<'input>,
    problems: &'a mut Problems,
}

impl Reader<'_, '_> {
    fn pos(&self, at: usize) -> (usize, usize) {
        let p = self.doc.text_pos_at(at);
        (p.row as usize, p.col as usize)
    }

    fn problem(&mut self, at: usize, field: Option<&str>, problem: Problem) {
        let (line, column) = self.pos(at);
        self.problems.add(line, Some(column), field, problem);
    }

    /// Checks the element's namespace and attributes; returns its cells.
    fn attributes(&mut self, node: roxmltree::Node<'_, '_>, allowed: &[(&str, &'static str)]) -> Cells {
        let mut cells = Cells::default();
        for attr in node.attributes() {
            let start = attr.range().start;
            match allowed
                .iter()
                .find(|(name, _)| *name == attr.name() && attr.namespace().is_none())
            {
                Some((_, field)) => {
                    let (line, column) = self.pos(start);
                    cells.insert(field, attr.value(), line, column);
                }
                None => self.problem(
                    start,
                    Some(attr.name()),
                    Problem::new("problem-xml-attribute-unknown")
                        .arg("element", node.tag_name().name())
                        .arg("attribute", attr.name())
                        .arg(
                            "allowed",
                            allowed.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", "),
                        ),
                ),
            }
        }
        cells
    }

    fn element_ok(&mut self, node: roxmltree::Node<'_, '_>) -> bool {
        match node.tag_name().namespace() {
            None => true,
            Some(NAMESPACE) => true,
            Some(other) => {
                self.problem(
                    node.range().start,
                    None,
                    Problem::new("problem-xml-namespace")
                        .arg("element", node.tag_name().name())
                        .arg("namespace", other)
                        .arg("expected", NAMESPACE),
                );
                false
            }
        }
    }

    fn no_text(&mut self, node: roxmltree::Node<'_, '_>) {
        for child in node.children().filter(|c| c.is_text()) {
            if !child.text().unwrap_or("").trim().is_empty() {
                self.problem(
                    child.range().start,
                    None,
                    Problem::new("problem-xml-text").arg("element", node.tag_name().name()),
                );
            }
        }
    }
}

/// Every `<line>`, with its order's values, located.
pub(crate) fn rows(text: &str, problems: &mut Problems) -> Vec<RawRow> {
    let doc = match roxmltree::Document::parse(text) {
        Ok(d) => d,
        Err(e) => {
            let p = e.pos();
            problems.add(
                p.row as usize,
                Some(p.col as usize),
                None,
                Problem::new("problem-xml-malformed").arg("detail", e),
            );
            return Vec::new();
        }
    };
    let mut r = Reader { doc: &doc, problems };
    let root = doc.root_element();
    if root.tag_name().name() != "orders" {
        r.problem(
            root.range().start,
            None,
            Problem::new("problem-xml-root").arg("element", root.tag_name().name()),
        );
        return Vec::new();
    }
    r.element_ok(root);
    r.no_text(root);
    let mut out = Vec::new();
    for (g, order) in root.children().filter(|n| n.is_element()).enumerate() {
        if order.tag_name().name() != "order" {
            r.problem(
                order.range().start,
                None,
                Problem::new("problem-xml-child")
                    .arg("parent", "orders")
                    .arg("allowed", "<order>")
                    .arg("element", order.tag_name().name()),
            );
            continue;
        }
        r.element_ok(order);
        r.no_text(order);
        let order_line = r.pos(order.range().start).0;
        let mut base = r.attributes(order, ORDER);
        for (attr, field) in [("id", "order_id"), ("boughtAt", "bought_at")] {
            if !base.contains_key(field) {
                r.problem(
                    order.range().start,
                    Some(attr),
                    Problem::new("problem-xml-attribute-missing")
                        .arg("element", "order")
                        .arg("attribute", attr),
                );
            }
        }
        let mut lines = Vec::new();
        let mut buyers = 0;
        for child in order.children().filter(|n| n.is_element()) {
            r.element_ok(child);
            r.no_text(child);
            match child.tag_name().name() {
                "buyer" => {
                    buyers += 1;
                    if buyers > 1 {
                        r.problem(child.range().start, None, Problem::new("problem-xml-one-buyer"));
                    }
                    let cells = r.attributes(child, BUYER);
                    if !cells.contains_key("buyer_login") {
                        r.problem(
                            child.range().start,
                            Some("login"),
                            Problem::new("problem-xml-attribute-missing")
                                .arg("element", "buyer")
                                .arg("attribute", "login"),
                        );
                    }
                    base.extend(&cells);
                    for extra in child.children().filter(|n| n.is_element()) {
                        r.problem(
                            extra.range().start,
                            None,
                            Problem::new("problem-xml-no-children").arg("element", "buyer"),
                        );
                    }
                }
                "delivery" => {
                    base.extend(&r.attributes(child, DELIVERY));
                    for inner in child.children().filter(|n| n.is_element()) {
                        r.element_ok(inner);
                        if inner.tag_name().name() == "address" {
                            base.extend(&r.attributes(inner, ADDRESS));
                        } else {
                            r.problem(
                                inner.range().start,
                                None,
                                Problem::new("problem-xml-child")
                                    .arg("parent", "delivery")
                                    .arg("allowed", "<address>")
                                    .arg("element", inner.tag_name().name()),
                            );
                        }
                    }
                }
                "line" => lines.push(child),
                other => r.problem(
                    child.range().start,
                    None,
                    Problem::new("problem-xml-child")
                        .arg("parent", "order")
                        .arg("allowed", "<buyer>, <delivery>, <line>")
                        .arg("element", other),
                ),
            }
        }
        if buyers == 0 {
            r.problem(
                order.range().start,
                None,
                Problem::new("problem-xml-needs")
                    .arg("element", "order")
                    .arg("child", "<buyer>"),
            );
        }
        if lines.is_empty() {
            r.problem(
                order.range().start,
                None,
                Problem::new("problem-xml-needs")
                    .arg("element", "order")
                    .arg("child", "<line>"),
            );
        }
        for line in lines {
            let mut cells = base.clone();
            cells.extend(&r.attributes(line, LINE));
            cells.shrink();
            for extra in line.children().filter(|n| n.is_element()) {
                r.problem(
                    extra.range().start,
                    None,
                    Problem::new("problem-xml-no-children").arg("element", "line"),
                );
            }
            let _ = order_line;
            out.push(RawRow {
                line: r.pos(line.range().start).0,
                cells,
                group: Some(g),
            });
        }
    }
    out
}

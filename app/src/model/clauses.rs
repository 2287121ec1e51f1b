//! The clauses of ISO/IEC 20000-1:2018, numbers and short titles only (never the standard's
//! text). Records name the requirement they concern by number; this list says which numbers
//! exist. The certification workspace builds its clause library on it.

pub const CLAUSES: &[(&str, &str)] = &[
    ("4.1", "Organization and its context"),
    ("4.2", "Interested parties"),
    ("4.3", "Scope of the SMS"),
    ("4.4", "Service management system"),
    ("5.1", "Leadership and commitment"),
    ("5.2", "Policy"),
    ("5.3", "Roles, responsibilities and authorities"),
    ("6.1", "Risks and opportunities"),
    ("6.2", "Objectives and planning to achieve them"),
    ("6.3", "Plan the SMS"),
    ("7.1", "Resources"),
    ("7.2", "Competence"),
    ("7.3", "Awareness"),
    ("7.4", "Communication"),
    ("7.5", "Documented information"),
    ("7.6", "Knowledge"),
    ("8.1", "Operational planning and control"),
    ("8.2.1", "Service delivery"),
    ("8.2.2", "Plan the services"),
    (
        "8.2.3",
        "Control of parties involved in the service lifecycle",
    ),
    ("8.2.4", "Service catalogue management"),
    ("8.2.5", "Asset management"),
    ("8.2.6", "Configuration management"),
    ("8.3.1", "Relationship and agreement: general"),
    ("8.3.2", "Business relationship management"),
    ("8.3.3", "Service level management"),
    ("8.3.4", "Supplier management"),
    ("8.4.1", "Budgeting and accounting for services"),
    ("8.4.2", "Demand management"),
    ("8.4.3", "Capacity management"),
    ("8.5.1", "Change management"),
    ("8.5.2", "Service design and transition"),
    ("8.5.3", "Release and deployment management"),
    ("8.6.1", "Incident management"),
    ("8.6.2", "Service request management"),
    ("8.6.3", "Problem management"),
    ("8.7.1", "Service availability management"),
    ("8.7.2", "Service continuity management"),
    ("8.7.3", "Information security management"),
    ("9.1", "Monitoring, measurement, analysis and evaluation"),
    ("9.2", "Internal audit"),
    ("9.3", "Management review"),
    ("9.4", "Service reporting"),
    ("10.1", "Nonconformity and corrective action"),
    ("10.2", "Continual improvement"),
];

/// The short title of a clause number, if Conform knows it.
pub fn title(number: &str) -> Option<&'static str> {
    CLAUSES
        .iter()
        .find(|(n, _)| *n == number.trim())
        .map(|(_, t)| *t)
}

/// "8.5.1 Change management", or the number alone when unknown.
pub fn label(number: &str) -> String {
    match title(number) {
        Some(title) => format!("{} {title}", number.trim()),
        None => number.trim().to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn numbers_are_unique_and_in_order() {
        let numbers: Vec<Vec<u32>> = super::CLAUSES
            .iter()
            .map(|(n, _)| n.split('.').map(|p| p.parse().unwrap()).collect())
            .collect();
        assert!(numbers.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(super::label("8.5.1"), "8.5.1 Change management");
        assert_eq!(super::label("99"), "99");
    }
}

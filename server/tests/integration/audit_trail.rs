//! The audit trail page's reading: newest first, paged by sequence number.

use crate::common;
use app::model::audit::{AuditEntry, AuditQuery, AuditQueryParams};
use app::model::listing::PageKey;
use app::server::service::audit_trail;

/// The pager links older pages after the last entry's sequence number and newer ones before
/// the first's; both walks read exactly the numbered pages, and a key of an entry that never
/// existed still reads the right page (the sequence number is the key itself).
#[tokio::test]
async fn keyed_pages_of_the_trail_read_what_numbered_pages_read() {
    let db = common::demo_db().await;
    let read = |query: AuditQuery| {
        let db = db.db.clone();
        async move { audit_trail::list(&db, &query).await.unwrap() }
    };
    let base = AuditQueryParams::default().to_query();
    let first = read(base.clone()).await;
    let pages = first.page_count();
    assert!(pages >= 3, "the demo leaves at least three pages of trail");
    let seqs = |entries: &[AuditEntry]| entries.iter().map(|e| e.seq).collect::<Vec<_>>();
    let mut numbered = first.items.clone();
    for page in 2..=pages {
        numbered.extend(
            read(AuditQuery {
                page,
                ..base.clone()
            })
            .await
            .items,
        );
    }
    assert!(
        seqs(&numbered).windows(2).all(|w| w[0] > w[1]),
        "newest first"
    );
    assert_eq!(numbered.len() as u64, first.total);

    let mut older = first.items.clone();
    while older.len() < numbered.len() {
        let key = older.last().map(|e| PageKey::After(e.seq));
        let page = read(AuditQuery {
            key,
            ..base.clone()
        })
        .await
        .items;
        assert!(!page.is_empty());
        older.extend(page);
    }
    assert_eq!(seqs(&older), seqs(&numbered));

    let mut newer = read(AuditQuery {
        page: pages,
        ..base.clone()
    })
    .await
    .items;
    while newer.len() < numbered.len() {
        let key = newer.first().map(|e| PageKey::Before(e.seq));
        let mut page = read(AuditQuery {
            key,
            ..base.clone()
        })
        .await
        .items;
        assert!(!page.is_empty());
        page.extend(newer);
        newer = page;
    }
    assert_eq!(seqs(&newer), seqs(&numbered));

    // A sequence number no entry has (newer than all) starts at the newest entry.
    let unborn = numbered[0].seq + 1_000;
    let from_unborn = read(AuditQuery {
        key: Some(PageKey::After(unborn)),
        ..base.clone()
    })
    .await;
    assert_eq!(seqs(&from_unborn.items), seqs(&first.items));
}

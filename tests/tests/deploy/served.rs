//! The paths the manifests probe and scrape are ones the real server answers 200 on, on the
//! listener they are sent to.

use lendline_tests::TestApp;

use crate::{image, kubernetes};

#[tokio::test]
async fn every_probed_and_scraped_path_is_served_on_its_listener() {
    let app = TestApp::spawn().await;
    let mut api_paths: Vec<(String, String)> = kubernetes::probes()
        .into_iter()
        .map(|(probe, _, path)| (format!("Kubernetes {probe}"), path))
        .collect();
    api_paths.push(("the image's HEALTHCHECK".into(), image::health_check().1));
    for (what, path) in api_paths {
        let response = app.client.get(app.url(&path)).send().await.unwrap();
        assert_eq!(response.status().as_u16(), 200, "{what}: GET {path}");
    }
    let scraped = format!("{}{}", app.management, kubernetes::scrape_path());
    let response = app.client.get(&scraped).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 200, "the Prometheus scrape");
    let body = response.text().await.unwrap();
    assert!(body.contains("http_requests_total"), "{body}");
}

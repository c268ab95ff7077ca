//! The Kubernetes manifests: the ConfigMap is a configuration the server loads, and the
//! Deployment's ports, probes, environment, mounts and grace period, the Services, the
//! PodDisruptionBudget and the migration Job agree with it.

use std::collections::BTreeMap;

use api::config::Config;
use serde_json::Value;

use crate::image;
use crate::support::{self, list, port_of, text};

const DIR: &str = "deploy/kubernetes";

/// Every object in every manifest file, by (kind, name).
fn objects() -> BTreeMap<(String, String), Value> {
    let mut objects = BTreeMap::new();
    let dir = support::repo_path(DIR);
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if !name.ends_with(".yaml") || name == "kustomization.yaml" {
            continue;
        }
        for object in support::yaml_documents(&format!("{DIR}/{name}")) {
            let key = (
                text(&object, "/kind").to_string(),
                text(&object, "/metadata/name").to_string(),
            );
            assert!(
                objects.insert(key.clone(), object).is_none(),
                "{key:?} twice"
            );
        }
    }
    objects
}

fn object<'a>(objects: &'a BTreeMap<(String, String), Value>, kind: &str, name: &str) -> &'a Value {
    objects
        .get(&(kind.to_string(), name.to_string()))
        .unwrap_or_else(|| panic!("no {kind} {name}"))
}

/// The container's environment with secret references resolved from the Secret manifest.
fn environment(
    objects: &BTreeMap<(String, String), Value>,
    container: &Value,
) -> BTreeMap<String, String> {
    list(container, "/env")
        .iter()
        .map(|var| {
            let name = text(var, "/name").to_string();
            let value = match var.pointer("/valueFrom/secretKeyRef") {
                Some(reference) => {
                    let secret = object(objects, "Secret", text(reference, "/name"));
                    let key = text(reference, "/key");
                    text(secret, &format!("/stringData/{key}")).to_string()
                }
                None => text(var, "/value").to_string(),
            };
            (name, value)
        })
        .collect()
}

/// Loads the configuration the container starts with: the ConfigMap file mounted where the
/// container's LENDLINE_CONFIG points, and the container's environment.
fn container_config(
    objects: &BTreeMap<(String, String), Value>,
    pod: &Value,
    container: &Value,
) -> Config {
    let env = environment(objects, container);
    let config_path = env
        .get("LENDLINE_CONFIG")
        .cloned()
        .unwrap_or_else(image::config_path);
    assert_eq!(config_path, image::config_path(), "the image's config path");
    let (dir, file) = config_path.rsplit_once('/').unwrap();
    let mount = list(container, "/volumeMounts")
        .iter()
        .find(|m| text(m, "/mountPath") == dir)
        .unwrap_or_else(|| panic!("nothing mounted at {dir}"));
    let volume = list(pod, "/volumes")
        .iter()
        .find(|v| v["name"] == mount["name"])
        .expect("the mounted volume");
    let config_map = object(objects, "ConfigMap", text(volume, "/configMap/name"));
    let toml = text(config_map, &format!("/data/{file}"));
    support::load_config("the ConfigMap", toml, &env)
}

fn container_port(container: &Value, name: &str) -> u16 {
    let port = list(container, "/ports")
        .iter()
        .find(|p| p["name"] == name)
        .unwrap_or_else(|| panic!("no container port named {name}"));
    u16::try_from(port["containerPort"].as_u64().unwrap()).unwrap()
}

fn labels_match(selector: &Value, labels: &Value) -> bool {
    selector
        .as_object()
        .unwrap()
        .iter()
        .all(|(k, v)| labels.get(k) == Some(v))
}

/// The (port, path) of every HTTP probe of the Deployment (for the served-paths test).
pub fn probes() -> Vec<(String, u16, String)> {
    let objects = objects();
    let pod = &object(&objects, "Deployment", "lendline")["spec"]["template"]["spec"];
    let container = &list(pod, "/containers")[0];
    ["startupProbe", "livenessProbe", "readinessProbe"]
        .iter()
        .map(|probe| {
            let get = &container[probe]["httpGet"];
            let port = container_port(container, text(get, "/port"));
            (probe.to_string(), port, text(get, "/path").to_string())
        })
        .collect()
}

/// The path Prometheus is told to scrape (on the management port).
pub fn scrape_path() -> String {
    let objects = objects();
    let annotations =
        &object(&objects, "Deployment", "lendline")["spec"]["template"]["metadata"]["annotations"];
    text(annotations, "/prometheus.io~1path").to_string()
}

#[test]
fn the_deployment_listens_and_is_probed_where_its_configuration_says() {
    let objects = objects();
    let deployment = object(&objects, "Deployment", "lendline");
    let pod = &deployment["spec"]["template"]["spec"];
    let container = &list(pod, "/containers")[0];
    let config = container_config(&objects, pod, container);
    api::auth::keys::JwtKeys::from_config(&config).expect("the JWT key is acceptable");
    assert!(
        config.database_url.is_some(),
        "DATABASE_URL comes from the Secret"
    );
    assert!(
        !config.run_migrations,
        "the Job migrates, not every replica"
    );
    support::assert_reachable("bind", &config.bind);
    support::assert_reachable("management_bind", &config.management_bind);
    assert_eq!(container_port(container, "http"), port_of(&config.bind));
    assert_eq!(
        container_port(container, "management"),
        port_of(&config.management_bind)
    );
    let probes: BTreeMap<String, (u16, String)> = probes()
        .into_iter()
        .map(|(probe, port, path)| (probe, (port, path)))
        .collect();
    let api_port = port_of(&config.bind);
    assert_eq!(probes["livenessProbe"], (api_port, "/health/live".into()));
    assert_eq!(probes["startupProbe"], (api_port, "/health/live".into()));
    assert_eq!(probes["readinessProbe"], (api_port, "/health/ready".into()));

    let annotations = &deployment["spec"]["template"]["metadata"]["annotations"];
    let scrape_port: u16 = text(annotations, "/prometheus.io~1port").parse().unwrap();
    assert_eq!(scrape_port, port_of(&config.management_bind));
    assert_eq!(text(annotations, "/prometheus.io~1path"), "/metrics");
    assert_eq!(list(container, "/args"), [Value::from("serve")]);
}

#[test]
fn the_deployment_runs_unprivileged_with_resources_and_a_grace_period_that_fits() {
    let objects = objects();
    let deployment = object(&objects, "Deployment", "lendline");
    let pod = &deployment["spec"]["template"]["spec"];
    let container = &list(pod, "/containers")[0];
    let config = container_config(&objects, pod, container);
    assert_eq!(pod["securityContext"]["runAsNonRoot"], true);
    assert_eq!(pod["securityContext"]["runAsUser"], image::user_id());
    for (kind, bound) in [
        ("requests", "cpu"),
        ("requests", "memory"),
        ("limits", "memory"),
    ] {
        assert!(
            container["resources"][kind][bound].is_string(),
            "resources.{kind}.{bound} unset"
        );
    }
    let pause: u64 = list(container, "/lifecycle/preStop/exec/command")
        .last()
        .and_then(Value::as_str)
        .map_or(0, |s| s.parse().unwrap());
    let grace = pod["terminationGracePeriodSeconds"].as_u64().unwrap();
    assert!(
        grace > pause + config.shutdown_grace_seconds,
        "terminationGracePeriodSeconds {grace} <= preStop {pause} + shutdown_grace_seconds {}",
        config.shutdown_grace_seconds
    );
    // The root is read-only: data_dir must be a volume.
    assert_eq!(container["securityContext"]["readOnlyRootFilesystem"], true);
    let data_dir = config.data_dir.to_str().unwrap();
    assert!(
        list(container, "/volumeMounts")
            .iter()
            .any(|m| m["mountPath"] == data_dir),
        "{data_dir} is not mounted"
    );
}

#[test]
fn services_and_the_disruption_budget_select_the_deployment_and_keep_metrics_internal() {
    let objects = objects();
    let deployment = object(&objects, "Deployment", "lendline");
    let labels = &deployment["spec"]["template"]["metadata"]["labels"];
    assert!(labels_match(
        &deployment["spec"]["selector"]["matchLabels"],
        labels
    ));
    let container = &list(&deployment["spec"]["template"]["spec"], "/containers")[0];

    let api = object(&objects, "Service", "lendline");
    let metrics = object(&objects, "Service", "lendline-metrics");
    for (service, target) in [(api, "http"), (metrics, "management")] {
        assert!(labels_match(&service["spec"]["selector"], labels));
        let ports = list(service, "/spec/ports");
        assert_eq!(ports.len(), 1, "{service}");
        assert_eq!(ports[0]["targetPort"], target);
        container_port(container, target);
    }
    let budget = object(&objects, "PodDisruptionBudget", "lendline");
    assert!(labels_match(
        &budget["spec"]["selector"]["matchLabels"],
        labels
    ));
    let replicas = deployment["spec"]["replicas"].as_u64().unwrap();
    let min_available = budget["spec"]["minAvailable"].as_u64().unwrap();
    assert!(
        min_available >= 1 && min_available < replicas,
        "a drain could never proceed"
    );
}

#[test]
fn the_migration_job_uses_the_same_image_configuration_and_database() {
    let objects = objects();
    let deployment = object(&objects, "Deployment", "lendline");
    let server_pod = &deployment["spec"]["template"]["spec"];
    let server = &list(server_pod, "/containers")[0];
    let job_pod = &object(&objects, "Job", "lendline-migrate")["spec"]["template"]["spec"];
    let job = &list(job_pod, "/containers")[0];
    assert_eq!(job["image"], server["image"]);
    assert_eq!(list(job, "/args"), [Value::from("migrate")]);
    assert!(support::server_subcommands().contains("migrate"));
    let config = container_config(&objects, job_pod, job);
    assert_eq!(
        config.database_url,
        container_config(&objects, server_pod, server).database_url
    );
    assert!(job["resources"]["limits"]["memory"].is_string());
    assert_eq!(job_pod["securityContext"]["runAsNonRoot"], true);
}

#[test]
fn the_kustomization_lists_existing_manifests() {
    let kustomization = &support::yaml_documents(&format!("{DIR}/kustomization.yaml"))[0];
    let resources = list(kustomization, "/resources");
    assert!(!resources.is_empty());
    for resource in resources {
        let name = resource.as_str().unwrap();
        assert!(
            support::repo_path(&format!("{DIR}/{name}")).is_file(),
            "{name} listed but missing"
        );
    }
}

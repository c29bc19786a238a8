//! Demonstration scripts (`static/scenarios/*.txt`), compiled in so the page
//! can offer them without fetching anything. The same files are run by the
//! tests, which assert their outcomes, and shipped in `dist/` for teachers.

/// One demonstration: a short title and its script in the command language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scenario {
    pub id: &'static str,
    pub title: &'static str,
    pub script: &'static str,
}

pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        id: "00-basics",
        title: "Basics: keyed records land on partitions",
        script: include_str!("../static/scenarios/00-basics.txt"),
    },
    Scenario {
        id: "01-acks1-leader-dies",
        title: "acks=1: the leader dies, an acknowledged record is lost",
        script: include_str!("../static/scenarios/01-acks1-leader-dies.txt"),
    },
    Scenario {
        id: "02-acks-all-survives",
        title: "acks=all + min.insync.replicas=2: nothing is lost",
        script: include_str!("../static/scenarios/02-acks-all-survives.txt"),
    },
    Scenario {
        id: "03-rf1-broker-dies",
        title: "Replication factor 1: the partition goes offline",
        script: include_str!("../static/scenarios/03-rf1-broker-dies.txt"),
    },
    Scenario {
        id: "04-isr-below-min-insync",
        title: "ISR below min.insync.replicas: acks=all refused",
        script: include_str!("../static/scenarios/04-isr-below-min-insync.txt"),
    },
    Scenario {
        id: "05-unclean-election",
        title: "Unclean leader election: records disappear",
        script: include_str!("../static/scenarios/05-unclean-election.txt"),
    },
    Scenario {
        id: "06-slow-follower",
        title: "A slow follower leaves the ISR and comes back",
        script: include_str!("../static/scenarios/06-slow-follower.txt"),
    },
    Scenario {
        id: "07-group-of-one",
        title: "A group of one: offsets committed to __consumer_offsets",
        script: include_str!("../static/scenarios/07-group-of-one.txt"),
    },
    Scenario {
        id: "08-scale-out",
        title: "Scaling a group from one to three consumers",
        script: include_str!("../static/scenarios/08-scale-out.txt"),
    },
    Scenario {
        id: "09-idle-consumer",
        title: "A fourth consumer on three partitions sits idle",
        script: include_str!("../static/scenarios/09-idle-consumer.txt"),
    },
    Scenario {
        id: "10-crash-before-commit",
        title: "Crash before commit: records processed twice",
        script: include_str!("../static/scenarios/10-crash-before-commit.txt"),
    },
    Scenario {
        id: "11-commit-before-processing",
        title: "Commit before processing: records never processed",
        script: include_str!("../static/scenarios/11-commit-before-processing.txt"),
    },
    Scenario {
        id: "12-earliest-vs-latest",
        title: "A new group: auto.offset.reset latest vs earliest",
        script: include_str!("../static/scenarios/12-earliest-vs-latest.txt"),
    },
    Scenario {
        id: "13-schema-evolution",
        title: "Schema evolution: compatible, refused, transitive",
        script: include_str!("../static/scenarios/13-schema-evolution.txt"),
    },
    Scenario {
        id: "14-avro-migration",
        title: "A breaking schema change: new topic, converter, consumers move over",
        script: include_str!("../static/scenarios/14-avro-migration.txt"),
    },
];

/// Finds a scenario by id.
pub fn find(id: &str) -> Option<&'static Scenario> {
    SCENARIOS.iter().find(|s| s.id == id)
}

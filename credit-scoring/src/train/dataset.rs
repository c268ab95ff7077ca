//! Reads a training CSV into typed columns, detecting numeric versus categorical columns.

use std::collections::BTreeMap;
use std::io::Read;

use super::TrainError;

/// Cells that mean "no value" in common exports (R, pandas, UCI files).
pub(crate) const MISSING_TOKENS: [&str; 9] =
    ["", "NA", "N/A", "NaN", "nan", "null", "NULL", "?", "None"];

/// Categorical columns with more distinct values than this are identifiers, not features.
const MAX_CATEGORIES: usize = 5_000;

pub(crate) fn is_missing(cell: &str) -> bool {
    MISSING_TOKENS.contains(&cell.trim())
}

/// One feature column.
#[derive(Debug, Clone)]
pub(crate) enum ColumnData {
    /// `NaN` marks a missing cell.
    Numeric(Vec<f64>),
    /// Dictionary ids; `None` marks a missing cell. The dictionary is sorted.
    Categorical {
        ids: Vec<Option<u32>>,
        dictionary: Vec<String>,
    },
}

#[derive(Debug, Clone)]
pub(crate) struct Column {
    pub name: String,
    pub data: ColumnData,
}

/// Feature columns plus the binary target (true = bad).
#[derive(Debug, Clone)]
pub(crate) struct Dataset {
    pub columns: Vec<Column>,
    pub bad: Vec<bool>,
}

/// Accumulates one column while reading, keeping both interpretations until the end.
struct ColumnBuilder {
    name: String,
    numbers: Vec<f64>,
    numeric: bool,
    dictionary: BTreeMap<String, u32>,
    ids: Vec<Option<u32>>,
    too_many_categories: bool,
}

impl ColumnBuilder {
    fn new(name: &str) -> Self {
        ColumnBuilder {
            name: name.to_owned(),
            numbers: Vec::new(),
            numeric: true,
            dictionary: BTreeMap::new(),
            ids: Vec::new(),
            too_many_categories: false,
        }
    }

    fn push(&mut self, cell: &str) {
        let cell = cell.trim();
        if is_missing(cell) {
            self.numbers.push(f64::NAN);
            self.ids.push(None);
            return;
        }
        if self.numeric {
            match cell.parse::<f64>() {
                Ok(value) if value.is_finite() => self.numbers.push(value),
                _ => self.numeric = false,
            }
        }
        if self.too_many_categories {
            return;
        }
        let next = u32::try_from(self.dictionary.len()).unwrap_or(u32::MAX);
        let id = *self.dictionary.entry(cell.to_owned()).or_insert(next);
        self.ids.push(Some(id));
        if self.dictionary.len() > MAX_CATEGORIES {
            self.too_many_categories = true;
        }
    }

    fn finish(self) -> Option<Column> {
        if self.numeric {
            return Some(Column {
                name: self.name,
                data: ColumnData::Numeric(self.numbers),
            });
        }
        if self.too_many_categories {
            return None;
        }
        // Re-number so ids follow the sorted dictionary (BTreeMap iterates in key order).
        let mut remap = vec![0_u32; self.dictionary.len()];
        let mut dictionary = Vec::with_capacity(self.dictionary.len());
        for (sorted, (value, first_seen)) in self.dictionary.into_iter().enumerate() {
            remap[first_seen as usize] = u32::try_from(sorted).unwrap_or(u32::MAX);
            dictionary.push(value);
        }
        let ids = self
            .ids
            .into_iter()
            .map(|id| id.map(|id| remap[id as usize]))
            .collect();
        Some(Column {
            name: self.name,
            data: ColumnData::Categorical { ids, dictionary },
        })
    }
}

/// Reads the CSV. Rows with an empty target are skipped; excluded columns are ignored.
pub(crate) fn read_dataset(
    reader: impl Read,
    target: &str,
    bad_value: &str,
    excluded: &[String],
) -> Result<Dataset, TrainError> {
    let mut csv = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(reader);
    let headers = csv.headers().map_err(csv_error)?.clone();
    let target_index = headers
        .iter()
        .position(|name| name.trim() == target)
        .ok_or_else(|| TrainError::MissingTarget(target.to_owned()))?;
    let mut builders: Vec<(usize, ColumnBuilder)> = headers
        .iter()
        .enumerate()
        .filter(|(index, name)| {
            *index != target_index && !excluded.iter().any(|e| e == name.trim())
        })
        .map(|(index, name)| (index, ColumnBuilder::new(name.trim())))
        .collect();
    let mut bad = Vec::new();
    let mut record = csv::StringRecord::new();
    while csv.read_record(&mut record).map_err(csv_error)? {
        let label = record.get(target_index).unwrap_or("").trim();
        if is_missing(label) {
            continue;
        }
        bad.push(label == bad_value.trim());
        for (index, builder) in &mut builders {
            builder.push(record.get(*index).unwrap_or(""));
        }
    }
    let columns = builders
        .into_iter()
        .filter_map(|(_, builder)| builder.finish())
        .collect();
    Ok(Dataset { columns, bad })
}

fn csv_error(error: csv::Error) -> TrainError {
    TrainError::Csv(error.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_and_categorical_columns_are_detected_and_missing_cells_kept() {
        let csv = "age,sector,target,id\n10,food,1,a\nNA,retail,0,b\n2.5,,0,c\n";
        let data = read_dataset(csv.as_bytes(), "target", "1", &["id".to_string()]).unwrap();
        assert_eq!(data.bad, vec![true, false, false]);
        assert_eq!(data.columns.len(), 2);
        match &data.columns[0].data {
            ColumnData::Numeric(values) => {
                assert_eq!(values[0], 10.0);
                assert!(values[1].is_nan());
            }
            ColumnData::Categorical { .. } => panic!("age should be numeric"),
        }
        match &data.columns[1].data {
            ColumnData::Categorical { ids, dictionary } => {
                assert_eq!(dictionary, &["food".to_string(), "retail".to_string()]);
                assert_eq!(ids, &[Some(0), Some(1), None]);
            }
            ColumnData::Numeric(_) => panic!("sector should be categorical"),
        }
    }

    #[test]
    fn a_missing_target_column_is_reported() {
        let err = read_dataset("a,b\n1,2\n".as_bytes(), "target", "1", &[]).unwrap_err();
        assert_eq!(err, TrainError::MissingTarget("target".into()));
    }
}

// duckdb_records.cjs — the DuckDB anchor of bench/records.sh, through the npm package
// @duckdb/node-api (installed by records.sh into build/, found through NODE_PATH):
//   node duckdb_records.cjs TASK FILE THREADS     (THREADS 0: DuckDB's default, all cores)
// Each task is one SQL statement; row outputs are COPY ... TO '/dev/stdout', counts printed.
// DuckDB's own CSV/JSON sniffing picks the column types, as a user's first query would.
'use strict';
const { DuckDBInstance } = require('@duckdb/node-api');

const [task, file, threads] = process.argv.slice(2);
const path = "'" + file.replace(/'/g, "''") + "'";
const csv = `read_csv(${path})`;
const json = `read_json(${path}, format = 'newline_delimited')`;
const tsv = `read_csv(${path}, delim = '\t', quote = '', escape = '', header = true)`;
const textCols = "'name', 'email', 'city', 'country', 'category', 'comment', 'tags'";
const stdout = "'/dev/stdout'";
const groups = (from) => `COPY (SELECT category, count(*) AS count, sum(amount) AS sum, avg(amount) AS mean
    FROM ${from} GROUP BY category ORDER BY category) TO ${stdout} (FORMAT csv, HEADER)`;

const tasks = {
    count: `SELECT count(*) FROM ${csv}`,
    count_plain: `SELECT count(*) FROM ${csv}`,
    select: `COPY (SELECT name, city, amount FROM ${csv}) TO ${stdout} (FORMAT csv, HEADER)`,
    filter: `COPY (SELECT * FROM ${csv} WHERE amount > 750) TO ${stdout} (FORMAT csv, HEADER)`,
    group: groups(csv),
    sort: `COPY (SELECT * FROM ${csv} ORDER BY rank) TO ${stdout} (FORMAT csv, HEADER)`,
    // an empty cell is NULL to DuckDB: the text columns say that it is the empty string
    csv2json: `COPY (SELECT * FROM read_csv(${path}, force_not_null = [${textCols}])) TO ${stdout} (FORMAT json)`,
    json2csv: `COPY (SELECT id, name, geo.lat AS lat FROM ${json} WHERE amount > 750)
        TO ${stdout} (FORMAT csv, HEADER)`,
    count_json: `SELECT count(*) FROM ${json}`,
    group_json: groups(json),
    count_tsv: `SELECT count(*) FROM ${tsv}`,
    group_tsv: groups(tsv),
};

async function main() {
    const sql = tasks[task];
    if (!sql) throw new Error(`unknown task ${task}`);
    const options = Number(threads) > 0 ? { threads: String(threads) } : {};
    const instance = await DuckDBInstance.create(':memory:', options);
    const conn = await instance.connect();
    if (sql.startsWith('SELECT')) {
        const reader = await conn.runAndReadAll(sql);
        process.stdout.write(`${reader.getRows()[0][0]}\n`);
    } else {
        await conn.run(sql);
    }
}

main().catch((e) => {
    process.stderr.write(`duckdb_records: ${e.message}\n`);
    process.exit(1);
});

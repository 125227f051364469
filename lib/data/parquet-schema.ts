/**
 * Typed Parquet schemas for streaming ingestion: columns in code become a Glue table in the
 * destination zone's database (created after the database, so the first deploy does not fail
 * on a missing database), which Firehose converts records with and Athena queries through.
 */
import { Stack, Token } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import { Construct, IConstruct } from 'constructs';
import { IDataLakeZone } from './zone';
import { PropValidationError } from '../private/errors';

/** Glue (Hive) column types. */
export class ColumnType {
  public static readonly STRING = new ColumnType('string');
  public static readonly BOOLEAN = new ColumnType('boolean');
  public static readonly INT = new ColumnType('int');
  public static readonly BIGINT = new ColumnType('bigint');
  public static readonly FLOAT = new ColumnType('float');
  public static readonly DOUBLE = new ColumnType('double');
  public static readonly DATE = new ColumnType('date');
  public static readonly TIMESTAMP = new ColumnType('timestamp');
  public static readonly BINARY = new ColumnType('binary');

  /** `decimal(precision, scale)`: precision 1..38, scale 0..precision. */
  public static decimal(precision: number, scale: number): ColumnType {
    if (!Number.isInteger(precision) || precision < 1 || precision > 38 || !Number.isInteger(scale) || scale < 0 || scale > precision) {
      throw new Error(`ColumnType.decimal(${precision}, ${scale}): precision must be 1..38 and scale 0..precision, e.g. decimal(10, 2).`);
    }
    return new ColumnType(`decimal(${precision},${scale})`);
  }

  /** `array<element>`. */
  public static arrayOf(element: ColumnType): ColumnType {
    return new ColumnType(`array<${element.hiveType}>`);
  }

  /** Any other Hive type, e.g. `struct<lat:double,lon:double>`. */
  public static custom(hiveType: string): ColumnType {
    return new ColumnType(hiveType);
  }

  private constructor(public readonly hiveType: string) {}
}

/** One column of a Parquet schema. */
export interface ParquetColumn {
  /** Lowercase letters, digits and `_` (Glue and Athena lower-case names anyway). */
  readonly name: string;
  readonly type: ColumnType;
  /** @default - none */
  readonly comment?: string;
}

const COLUMN_NAME = /^[a-z_][a-z0-9_]{0,254}$/;

/** Throws unless the columns are non-empty, typed, and named uniquely as Glue accepts. */
export function checkParquetColumns(scope: IConstruct, prop: string, columns: readonly ParquetColumn[]): void {
  if (!Array.isArray(columns) || columns.length === 0) {
    throw new PropValidationError(scope, prop, columns, 'is not a non-empty list of columns', 'List the record\'s fields, e.g. [{ name: "customer_id", type: ColumnType.STRING }].');
  }
  const seen = new Set<string>();
  for (const column of columns) {
    if (typeof column?.name !== 'string' || (!Token.isUnresolved(column.name) && !COLUMN_NAME.test(column.name))) {
      throw new PropValidationError(scope, `${prop}[].name`, column?.name, 'is not a Glue column name', 'Use lowercase letters, digits and "_", starting with a letter or "_", e.g. "customer_id".');
    }
    if (!(column.type instanceof ColumnType)) {
      throw new PropValidationError(scope, `${prop}[${column.name}].type`, column.type, 'is not a ColumnType', 'Use ColumnType.STRING, ColumnType.TIMESTAMP, ColumnType.decimal(10, 2), ...');
    }
    if (seen.has(column.name)) {
      throw new PropValidationError(scope, prop, column.name, 'names a column twice', 'Give each column a distinct name.');
    }
    seen.add(column.name);
  }
}

export interface SchemaTableProps {
  readonly zone: IDataLakeZone;
  readonly tableName: string;
  readonly columns: readonly ParquetColumn[];
  /** Key prefix the records are delivered under (the table's location). */
  readonly locationPrefix: string;
}

/**
 * A Parquet Glue table in the zone's database, created after the database. Throws when the
 * zone has no Glue database (an imported zone without `databaseNames`).
 */
export function createSchemaTable(scope: Construct, id: string, props: SchemaTableProps): glue.CfnTable {
  const { zone } = props;
  if (!zone.databaseName) {
    throw new PropValidationError(scope, 'parquetColumns', zone.zoneName, 'needs the zone\'s Glue database, which this zone does not have',
      'Import the lake with databaseNames, or pass your own table as parquetSchema.');
  }
  const table = new glue.CfnTable(scope, id, {
    catalogId: Stack.of(scope).account,
    databaseName: zone.databaseName,
    tableInput: {
      name: props.tableName,
      tableType: 'EXTERNAL_TABLE',
      parameters: { classification: 'parquet' },
      storageDescriptor: {
        columns: props.columns.map((c) => ({ name: c.name, type: c.type.hiveType, comment: c.comment })),
        location: `s3://${zone.bucket.bucketName}/${props.locationPrefix}/`,
        inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
        outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
        serdeInfo: { serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
      },
    },
  });
  // A table in a database the same deploy creates: wait for it.
  const database = zone.node.tryFindChild('Database');
  if (database instanceof glue.CfnDatabase) table.node.addDependency(database);
  return table;
}

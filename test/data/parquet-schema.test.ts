/** Parquet conversion from typed columns: the ingestion creates the Glue table after the zone's database. */
import { Template } from 'aws-cdk-lib/assertions';
import { ColumnType, DataLake, StreamingIngestion } from '../../lib/data';
import { encryptedTopic, stackFixture } from './fixtures';
import { cleanTemplate } from '../harness/synth';
import { expectNagClean } from '../harness/nag';

/* eslint-disable @typescript-eslint/no-explicit-any -- synthesized CloudFormation JSON is untyped */

const COLUMNS = [
  { name: 'customer_id', type: ColumnType.STRING },
  { name: 'amount', type: ColumnType.decimal(10, 2), comment: 'in EUR' },
  { name: 'tags', type: ColumnType.arrayOf(ColumnType.STRING) },
  { name: 'ts', type: ColumnType.TIMESTAMP },
];

function build(props: Record<string, unknown> = {}) {
  const { app, stack } = stackFixture();
  const lake = new DataLake(stack, 'Lake');
  const ingestion = new StreamingIngestion(stack, 'Orders', { destination: lake.zone('curated'), parquetColumns: COLUMNS, alarmTopic: encryptedTopic(stack), ...props });
  return { app, stack, lake, ingestion };
}

describe('StreamingIngestion parquetColumns', () => {
  const { stack } = build();
  const template: Template = cleanTemplate(stack);
  const tables = template.findResources('AWS::Glue::Table');
  const [tableId, table] = Object.entries<any>(tables)[0];

  test('one Parquet table in the zone\'s database, after it, at the stream\'s prefix', () => {
    expect(Object.keys(tables)).toHaveLength(1);
    expect(tableId).toMatch(/^OrdersSchema/);
    const input = table.Properties.TableInput;
    expect(input.Name).toBe('orders');
    expect(input.StorageDescriptor.Columns).toEqual([
      { Name: 'customer_id', Type: 'string' },
      { Name: 'amount', Type: 'decimal(10,2)', Comment: 'in EUR' },
      { Name: 'tags', Type: 'array<string>' },
      { Name: 'ts', Type: 'timestamp' },
    ]);
    expect(input.StorageDescriptor.SerdeInfo.SerializationLibrary).toBe('org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe');
    expect(JSON.stringify(input.StorageDescriptor.Location)).toContain('/streams/orders/');
    const databaseId = Object.keys(template.findResources('AWS::Glue::Database')).find((id) => id.startsWith('LakeZonecurated'))!;
    expect(table.Properties.DatabaseName).toEqual(template.toJSON().Resources[databaseId].Properties.DatabaseInput.Name);
    expect(table.DependsOn).toEqual(expect.arrayContaining([databaseId]));
  });

  test('Firehose converts to Parquet with that table', () => {
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      ExtendedS3DestinationConfiguration: {
        DataFormatConversionConfiguration: {
          Enabled: true,
          SchemaConfiguration: { TableName: { Ref: tableId } },
        },
      },
    });
  });

  test('is cdk-nag clean', () => {
    expect(() => expectNagClean(build().app)).not.toThrow();
  });

  test.each<[string, Record<string, unknown>, RegExp]>([
    ['both schemas', { parquetSchema: {} }, /parquetColumns = "set" is given together with parquetSchema/],
    ['no columns', { parquetColumns: [] }, /parquetColumns = \[\] is not a non-empty list of columns/],
    ['a name Glue rejects', { parquetColumns: [{ name: 'Customer-ID', type: ColumnType.STRING }] }, /parquetColumns\[\]\.name = "Customer-ID" is not a Glue column name/],
    ['a type that is not a ColumnType', { parquetColumns: [{ name: 'a', type: 'string' }] }, /parquetColumns\[0\]\.type = "string" is a string, not a ColumnType\. Pass a ColumnType, e\.g\. ColumnType\.STRING/],
    ['a duplicate', { parquetColumns: [{ name: 'a', type: ColumnType.INT }, { name: 'a', type: ColumnType.INT }] }, /parquetColumns = "a" names a column twice/],
    ['a bad table name', { parquetTableName: 'Orders' }, /parquetTableName = "Orders" is invalid/],
    ['conversion off with columns', { convertToParquet: false }, /convertToParquet = false is false but parquetColumns is set/],
  ])('%s fails with the prop and the fix', (_case, props, expected) => {
    expect(() => build(props)).toThrow(expected);
  });

  test('decimal precision and scale are checked', () => {
    expect(() => ColumnType.decimal(40, 2)).toThrow(/precision must be 1\.\.38 and scale 0\.\.precision/);
  });
});

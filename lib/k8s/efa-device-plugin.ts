/** Extended resource of the Elastic Fabric Adapter devices the EFA device plugin advertises. */
export const EFA_RESOURCE = 'vpc.amazonaws.com/efa';

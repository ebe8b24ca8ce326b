import type { Cloud } from '../core/requirement';

/** Where a cloud's Azure Resource Manager answers, and the token scope its clients ask for. */
export interface CloudEndpoints {
  readonly name: Cloud;
  /** Azure Resource Manager (also where Resource Graph answers), without a trailing slash. */
  readonly resourceManager: string;
  /** The OAuth scope of ARM tokens in this cloud. */
  readonly scope: string;
  /** A region of the cloud, for calls that need one when nothing else names one (service tags). */
  readonly referenceRegion: string;
}

export const CLOUD_ENDPOINTS: Readonly<Record<Cloud, CloudEndpoints>> = {
  AzureCloud: {
    name: 'AzureCloud',
    resourceManager: 'https://management.azure.com',
    scope: 'https://management.azure.com/.default',
    referenceRegion: 'westus',
  },
  AzureChinaCloud: {
    name: 'AzureChinaCloud',
    resourceManager: 'https://management.chinacloudapi.cn',
    scope: 'https://management.chinacloudapi.cn/.default',
    referenceRegion: 'chinaeast2',
  },
  AzureUSGovernment: {
    name: 'AzureUSGovernment',
    resourceManager: 'https://management.usgovcloudapi.net',
    scope: 'https://management.usgovcloudapi.net/.default',
    referenceRegion: 'usgovvirginia',
  },
};
